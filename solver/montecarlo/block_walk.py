"""The walk in 2D/3D: drift along the RT0 field of the FV model's face flows (``block_field``),
diffusion with reflection at insulating walls, the periodic seam of the shell, exit through the
far end of the circuit.

An electron holds (x, y, z) [m] and its column (ix, iy) (ix = -1 upstream of the mesh, in the
lead that continues it).  Steps, per electron (``_advance``):

- *exact*, in a uniform stretch (``block_field``): x += u dQ + sqrt(2 D h) xi_x, and across the
  Gaussian displacements folded back into the stretch's band (mirror images at both walls: the
  exact law of a reflected Brownian motion between two parallel walls), or wrapped around the
  shell's circumference; taken whenever the stretch's ends lie K_SIGMA spreads (plus the drift)
  away, as long as that allows.
- *split*, elsewhere (steps of ``time_step``): Strang splitting.  Drift for half the step's
  charge along the exact streamline of the RT0 field (Pollock's method: in a cell each
  component obeys dx/dQ = v_lo + g (x - x_lo), so x(Q) = x_lo + (v(x_0) e^{g Q} - v_lo)/g and
  the exit time through a face is log(v_face/v(x_0))/g), then a Gaussian displacement of
  variance 2 D h per axis traced cell by cell as a straight path, mirrored at every wall it
  meets (a face whose neighbour is inactive or, in 3D, whose neighbour's thickness does not
  contain z), then the other half of the drift.  Through the thickness (3D) the path is folded
  into its column's band analytically.  The splitting error (drift and diffusion do not commute
  where the field varies) and the straight-path reflection at corners are the time-step error.

Observation and tallies as in ``line_walk``: at every output time, and once at a uniformly
random time in every output interval for the time integral.
"""

from __future__ import annotations

import math

import numpy as np

from .kernels import K_SIGMA, charge_at, compiled, fold, locate, safe_time, tally

__all__ = ["walk_block"]


@compiled(inline=True)
def _phi(z):
    """expm1(z)/z (1 at z = 0); its Taylor series below |z| = 1e-2 (error < z^5/720 < 2e-13)."""
    if abs(z) < 1e-2:
        return 1.0 + z * (0.5 + z * (1.0 / 6.0 + z * (1.0 / 24.0 + z / 120.0)))
    return math.expm1(z) / z


@compiled(inline=True)
def _exit(p, lo, hi, v_lo, v_hi, q):
    """Charge [C] until the RT0 streamline from p leaves [lo, hi] on this axis, and the face
    (0 low, 1 high; -1 never); inf at once if it cannot leave within the charge q (the move is
    at most |v(p)| q e^{|g| q} <= |v(p)| q (1 + 2 |g| q) for |g| q <= 1/2)."""
    h = hi - lo
    g = (v_hi - v_lo) / h
    vp = v_lo + g * (p - lo)
    gq = abs(g) * q
    if gq <= 0.5 and abs(vp) * q * (1.0 + 2.0 * gq) < min(hi - p, p - lo):
        return np.inf, -1
    if vp > 0.0 and v_hi > 0.0:
        d = hi - p
        a = g * d / vp
        return (d / vp) * (math.log1p(a) / a if abs(a) > 1e-12 else 1.0), 1
    if vp < 0.0 and v_lo < 0.0:
        d = lo - p
        a = g * d / vp
        return (d / vp) * (math.log1p(a) / a if abs(a) > 1e-12 else 1.0), 0
    return np.inf, -1


@compiled(inline=True)
def _move(p, lo, hi, v_lo, v_hi, q):
    """Position on this axis after the charge q [C] along the streamline."""
    g = (v_hi - v_lo) / (hi - lo)
    vp = v_lo + g * (p - lo)
    return p + vp * q * _phi(g * q)


@compiled(inline=True)
def _band_step(y, dy, bands, nbands, period):
    """y + dy folded back into the band of ``bands`` [nbands, 2] that holds y (mirror images at
    its walls); a band as wide as the period (the shell's ring) wraps instead; on a periodic
    axis a band through the seam has lo < 0 and the result is returned in [0, period)."""
    for j in range(nbands):
        lo, hi = bands[j, 0], bands[j, 1]
        yy = y
        if period > 0.0 and lo < 0.0 and yy > hi:
            yy -= period
        if lo <= yy <= hi:
            if period > 0.0 and hi - lo >= period * (1.0 - 1e-12):
                out = lo + (yy + dy - lo) % period
            else:
                out = fold(yy + dy, lo, hi)[0]
            if period > 0.0 and out < 0.0:
                out += period
            return out
    return y + dy


@compiled(inline=True)
def _open(ix, iy, z, nx, ny, zband):
    """Whether the column (ix, iy) exists and its active thickness holds z."""
    if ix < 0 or ix >= nx or iy < 0 or iy >= ny:
        return False
    c = ix + nx * iy
    return zband[0, c] <= z <= zband[1, c]


@compiled(inline=True)
def _locate_cell(state, f):
    """Column and z cell of the position in ``state`` (ix = -1 upstream of the mesh)."""
    xf, yf, zf = f[0], f[1], f[2]
    if state[0] < xf[0]:
        state[3] = -1
    else:
        state[3] = min(locate(xf, state[0]), len(xf) - 2)
    state[4] = min(max(locate(yf, state[1]), 0), len(yf) - 2)
    state[5] = min(max(locate(zf, state[2]), 0), len(zf) - 2)


@compiled(inline=True)
def _drift(state, q, f, period):
    """Move ``state`` = [x, y, z, ix, iy, iz, alive] along the RT0 streamline for the charge q
    [C] (Pollock's method, module docstring).  Upstream of the mesh the drift is the first
    stretch's uniform one."""
    xf, yf, zf, vel, sx, su = f[0], f[1], f[2], f[3], f[7], f[8]
    nx, ny, nz = len(xf) - 1, len(yf) - 1, len(zf) - 1
    for _ in range(100000):
        if q <= 0.0:
            return
        ix, iy, iz = int(state[3]), int(state[4]), int(state[5])
        if ix < 0:
            state[0] += su[0] * q
            _locate_cell(state, f)
            return
        c = ix + nx * (iy + ny * iz)
        sxq, fx = _exit(state[0], xf[ix], xf[ix + 1], vel[0, c], vel[1, c], q)
        syq, fy = _exit(state[1], yf[iy], yf[iy + 1], vel[2, c], vel[3, c], q)
        szq, fz = np.inf, -1
        if nz > 1:
            szq, fz = _exit(state[2], zf[iz], zf[iz + 1], vel[4, c], vel[5, c], q)
        s = min(sxq, syq, szq)
        step = min(s, q)
        state[0] = _move(state[0], xf[ix], xf[ix + 1], vel[0, c], vel[1, c], step)
        state[1] = _move(state[1], yf[iy], yf[iy + 1], vel[2, c], vel[3, c], step)
        if nz > 1:
            state[2] = _move(state[2], zf[iz], zf[iz + 1], vel[4, c], vel[5, c], step)
        if s >= q:
            return
        q -= s
        if sxq == s:
            state[0] = xf[ix + fx]
            ix += 2 * fx - 1
            if ix >= nx:
                state[6] = 0.0
                return
            state[3] = ix
        elif syq == s:
            state[1] = yf[iy + fy]
            iy += 2 * fy - 1
            if iy < 0 or iy >= ny:
                iy = iy % ny
                state[1] = yf[0] if iy == 0 else yf[ny]
            state[4] = iy
        else:
            state[2] = zf[iz + fz]
            state[5] = iz + 2 * fz - 1


@compiled(inline=True)
def _diffuse(state, dx, dy, dz, f, period):
    """Trace the straight displacement (dx, dy, dz) [m] from ``state`` through the columns,
    mirrored at walls (module docstring)."""
    xf, yf, zf, zband = f[0], f[1], f[2], f[4]
    nx, ny = len(xf) - 1, len(yf) - 1
    ix, iy = int(state[3]), int(state[4])
    x, y, z = state[0], state[1], state[2]
    for _ in range(1000000):
        c = ix + nx * iy
        zlo, zhi = zband[0, c], zband[1, c]
        lx = np.inf
        if dx > 0.0:
            lx = (xf[ix + 1] - x) / dx
        elif dx < 0.0:
            lx = (xf[ix] - x) / dx
        ly = np.inf
        if dy > 0.0:
            ly = (yf[iy + 1] - y) / dy
        elif dy < 0.0:
            ly = (yf[iy] - y) / dy
        lam = min(lx, ly)
        if lam >= 1.0:
            x += dx
            y += dy
            z = fold(z + dz, zlo, zhi)[0]
            break
        x += lam * dx
        y += lam * dy
        z, parity = fold(z + lam * dz, zlo, zhi)
        dx *= 1.0 - lam
        dy *= 1.0 - lam
        dz *= (1.0 - lam) * parity
        if lx <= ly:
            step = 1 if dx > 0.0 else -1
            x = xf[ix + 1] if step > 0 else xf[ix]
            nb = ix + step
            if nb >= nx:
                state[6] = 0.0
                state[0] = x + dx
                return
            if nb < 0:                        # upstream of the mesh: the first stretch goes on
                state[0] = x + dx
                state[1] = _band_step(y, dy, f[9][0], f[10][0], period)
                state[2] = fold(z + dz, f[11][0, 0], f[11][0, 1])[0]
                _locate_cell(state, f)
                return
            if _open(nb, iy, z, nx, ny, zband):
                ix = nb
            else:
                dx = -dx
        else:
            step = 1 if dy > 0.0 else -1
            y = yf[iy + 1] if step > 0 else yf[iy]
            nb = iy + step
            if period > 0.0 and (nb < 0 or nb >= ny):
                nb = nb % ny
                y = yf[0] if nb == 0 else yf[ny]
            if _open(ix, nb, z, nx, ny, zband):
                iy = nb
            else:
                dy = -dy
    state[0], state[1], state[2] = x, y, z
    state[3], state[4] = ix, iy
    state[5] = min(max(locate(zf, z), 0), len(zf) - 2)


@compiled()
def _advance(state, t0, t1, f, p, rng, counts):
    """Walk the electron in ``state`` from t0 to t1 [s] (module docstring).  ``f`` packs the
    field (``BlockProblem.pack``), ``p`` = (D, time step, largest current, period, schedule edges,
    charge at the edges, currents)."""
    diffusivity, time_step, current_max, period, s_edges, s_charge, s_current = p
    xf, of_column, sx, su, sb, snb, sz = f[0], f[6], f[7], f[8], f[9], f[10], f[11]
    x_end = xf[len(xf) - 1]
    b = K_SIGMA * math.sqrt(2.0 * diffusivity)
    three_d = len(f[2]) > 2
    t = t0
    q = charge_at(t, s_edges, s_charge, s_current)
    while t < t1 and state[6] > 0.0:
        rem = t1 - t
        ix = int(state[3])
        s = 0 if ix < 0 else of_column[ix]
        safe = 0.0
        if s >= 0:
            safe = min(safe_time(sx[s, 1] - state[0], su[s] * current_max, b),
                       safe_time(state[0] - sx[s, 0], 0.0, b))
        if safe >= rem or safe >= time_step:
            h = min(safe, rem)
            q1 = charge_at(t + h, s_edges, s_charge, s_current)
            sigma = math.sqrt(2.0 * diffusivity * h)
            state[0] += su[s] * (q1 - q) + sigma * rng.standard_normal()
            state[1] = _band_step(state[1], sigma * rng.standard_normal(), sb[s], snb[s], period)
            if three_d:
                state[2] = fold(state[2] + sigma * rng.standard_normal(), sz[s, 0], sz[s, 1])[0]
            if state[0] >= x_end:
                state[6] = 0.0
            else:
                _locate_cell(state, f)
            counts[0] += 1
        else:
            h = min(time_step, rem)
            qm = charge_at(t + 0.5 * h, s_edges, s_charge, s_current)
            q1 = charge_at(t + h, s_edges, s_charge, s_current)
            _drift(state, qm - q, f, period)
            if state[6] > 0.0:
                sigma = math.sqrt(2.0 * diffusivity * h)
                dz = sigma * rng.standard_normal() if three_d else 0.0
                dx = sigma * rng.standard_normal()
                dy = sigma * rng.standard_normal()
                if state[3] < 0:
                    state[0] += dx
                    state[1] = _band_step(state[1], dy, sb[0], snb[0], period)
                    state[2] = fold(state[2] + dz, sz[0, 0], sz[0, 1])[0]
                    _locate_cell(state, f)
                else:
                    _diffuse(state, dx, dy, dz, f, period)
            if state[6] > 0.0:
                _drift(state, q1 - qm, f, period)
            counts[1] += 1
        t = t1 if h >= rem else t + h
        q = q1


@compiled()
def walk_block(start, weight, population, times, target_lo, target_hi, f, p, rng, sums, integrals,
               counts, state):
    """Walk the electrons starting at ``start`` (3, M) [m] through the observation times and add
    to the tallies (as ``line_walk.walk_line``); ``state`` a work array of 7 floats."""
    for i in range(start.shape[1]):
        state[0], state[1], state[2] = start[0, i], start[1, i], start[2, i]
        state[6] = 1.0
        _locate_cell(state, f)
        w, pop = weight[i], population[i]
        t = 0.0
        dwell = 0.0
        for k in range(len(times)):
            lo = 0.0 if k == 0 else times[k - 1]
            if state[6] > 0.0:
                tau = lo + (times[k] - lo) * rng.random()
                _advance(state, t, tau, f, p, rng, counts)
                if state[6] > 0.0 and target_lo <= state[0] < target_hi:
                    dwell += times[k] - lo
                _advance(state, tau, times[k], f, p, rng, counts)
                t = times[k]
                if state[6] > 0.0 and target_lo <= state[0] < target_hi:
                    tally(sums, k, pop, w)
            tally(integrals, k, pop, w * dwell)
