"""National identifiers of people whose checksums python-stdnum does not have (issue 16).

Each module has python-stdnum's shape (``compact``, ``validate`` raising stdnum's
exceptions, ``is_valid``), so ``nationalids`` tries it like a stdnum module and
derives its length table the same way. Each checksum is the issuing authority's
published algorithm: Iran's national code (``ir``), Taiwan's national identification
card (``tw``) and Hong Kong's identity card (``hk``).
"""
