"""Finite volumes with FiPy: the line of a case along x (:mod:`.layout`), the 1D model
(:mod:`.line_model`), the 2D/3D model (:mod:`.block_model`) with its drift field
(:mod:`.potential`) and slab assembly (:mod:`.slabs`), the terms into matrices
(:mod:`.assembly`), and the model contract (:mod:`.model`)."""
