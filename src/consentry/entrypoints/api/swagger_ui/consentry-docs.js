// consentry's own start-up for the vendored Swagger UI (issue 24 item 4): the document
// comes from this server, the validator badge (a request to validator.swagger.io) is off.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
