"""The source paper (Milotti et al., Entropy 2018, 20, 515): its printed numbers as data
(:mod:`.printed`, ``printed_values.yaml``), our values beside them (:mod:`.comparison`), its
figures 2 and 3 (:mod:`.figures`), the claims ledger (:mod:`.ledger`) and the
``vip-transport paper`` command (:mod:`.command`)."""
