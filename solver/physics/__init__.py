"""Physics: copper and the quantities derived from it (:mod:`.material`, :mod:`.derived`), the
closed-form 1D solutions (:mod:`.analytic`, the uniform line :mod:`.line`), the current as a
function of time (:mod:`.schedule`), and scatterings into counts (:mod:`.counts`)."""
