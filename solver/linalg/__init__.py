"""Linear algebra: the 1D step's compiled tridiagonal kernels (:mod:`.tridiagonal`), sparse
direct solvers (:mod:`.direct`), algebraic multigrid (:mod:`.amg`), the backend registry
(:mod:`.backends`) and returning memory after big set-up phases (:mod:`.memory`)."""
