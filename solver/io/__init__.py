"""Files: the results folder (:mod:`.results`), 2D/3D field snapshots for ParaView
(:mod:`.snapshots`) and checkpoints of interrupted runs (:mod:`.checkpoint`)."""
