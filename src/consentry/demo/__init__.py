"""A synthetic population for demos and benchmarks (issue 6).

:mod:`~consentry.demo.population` plans what each account does and when;
:mod:`~consentry.demo.replay` plays small populations through the service layer;
:mod:`~consentry.demo.bulk` writes large ones straight into the tables, with the state
computed by :mod:`~consentry.demo.simulate` from the same domain rules.
"""
