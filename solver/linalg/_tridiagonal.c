/* Compiled loops of the 1D (tridiagonal) time step; see solver/tridiagonal.py for the maths.
 *
 * Every argument is a C-contiguous float64 buffer (numpy array); the Python wrapper in
 * solver/tridiagonal.py guarantees the dtype and layout, this file checks the lengths.
 * No numpy headers: buffers come through the buffer protocol ("y*" read, "w*" write).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static int check_size(Py_ssize_t n, Py_ssize_t least) {
    if (n < least) {
        PyErr_Format(PyExc_ValueError, "expected at least %zd values, got %zd", least, n);
        return 0;
    }
    return 1;
}

static int check_len(Py_buffer *b, Py_ssize_t n, const char *name) {
    if (b->len != n * (Py_ssize_t)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd float64 values, got %zd bytes", name, n, b->len);
        return 0;
    }
    return 1;
}

/* Running sums and maxima over blocks, four partial accumulators each (no single
 * loop-carried chain).  Kernels compute a block of BLOCK values into their output, then reduce
 * it while it is still in cache: one pass over memory instead of two. */
#define BLOCK 512
typedef struct { double s[4], m[4]; } Acc;

static void acc_init(Acc *a) { for (int k = 0; k < 4; k++) a->s[k] = a->m[k] = 0.0; }

/* s += sum v, m = max(m, |v|) over v[0..n) */
static void acc_add(Acc *a, const double *v, Py_ssize_t n) {
    Py_ssize_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) {
            a->s[k] += v[i + k];
            a->m[k] = fabs(v[i + k]) > a->m[k] ? fabs(v[i + k]) : a->m[k];
        }
    for (; i < n; i++) {
        a->s[0] += v[i];
        a->m[0] = fabs(v[i]) > a->m[0] ? fabs(v[i]) : a->m[0];
    }
}

/* s += sum u v (products), m = max(m, |v|) over [0..n) */
static void acc_add_dot(Acc *a, const double *u, const double *v, Py_ssize_t n) {
    Py_ssize_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) {
            a->s[k] += u[i + k] * v[i + k];
            a->m[k] = fabs(v[i + k]) > a->m[k] ? fabs(v[i + k]) : a->m[k];
        }
    for (; i < n; i++) {
        a->s[0] += u[i] * v[i];
        a->m[0] = fabs(v[i]) > a->m[0] ? fabs(v[i]) : a->m[0];
    }
}

static double acc_sum(const Acc *a) { return (a->s[0] + a->s[1]) + (a->s[2] + a->s[3]); }
static double acc_max(const Acc *a) { return fmax(fmax(a->m[0], a->m[1]), fmax(a->m[2], a->m[3])); }

#define RELEASE(...) do { Py_buffer *bs_[] = {__VA_ARGS__}; \
    for (size_t k_ = 0; k_ < sizeof(bs_) / sizeof(bs_[0]); k_++) PyBuffer_Release(bs_[k_]); } while (0)

/* out = K c + f with K c as face fluxes along a chain; returns (max |out|, max |c|, sum V c).
 * flow(k) = w[k] (c[k] - c[k+1]) + net[k] c[k] from cell k to k+1 is recomputed per cell so
 * that the loop has no carried dependence (it vectorises).  The column sums d of K and the
 * source f are non-zero in a few cells only (the ends): they come as (index, d, f) triplets,
 * indices increasing, instead of two more full arrays to read. */
static PyObject *chain_rhs(PyObject *self, PyObject *args) {
    Py_buffer bc, bw, bnet, bidx, bds, bfs, bv, bout;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*w*", &bc, &bw, &bnet, &bidx, &bds, &bfs, &bv, &bout)) return NULL;
    Py_ssize_t n = bc.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t ns = bidx.len / (Py_ssize_t)sizeof(long long);
    PyObject *result = NULL;
    if (!check_size(n, 2) || !check_len(&bw, n - 1, "w") || !check_len(&bnet, n - 1, "net")
        || !check_len(&bds, ns, "d values") || !check_len(&bfs, ns, "f values")
        || !check_len(&bv, n, "volume") || !check_len(&bout, n, "out")) goto done;
    {
        const double *c = bc.buf, *w = bw.buf, *net = bnet.buf, *ds = bds.buf, *fs = bfs.buf, *vol = bv.buf;
        const long long *idx = bidx.buf;
        double *out = bout.buf;
        Py_ssize_t p = 0;
        Acc rhs, content;
        acc_init(&rhs);
        acc_init(&content);
        for (Py_ssize_t k = 0; k < ns; k++)
            if (idx[k] < 0 || idx[k] >= n || (k > 0 && idx[k] <= idx[k - 1])) {
                PyErr_SetString(PyExc_ValueError, "chain_rhs: indices must increase within [0, n)");
                goto done;
            }
#define FLOW(k) (w[k] * (c[k] - c[(k) + 1]) + net[k] * c[k])
        for (Py_ssize_t lo = 0; lo < n; lo += BLOCK) {
            Py_ssize_t hi = lo + BLOCK < n ? lo + BLOCK : n;
            for (Py_ssize_t i = lo > 0 ? lo : 1; i < (hi < n - 1 ? hi : n - 1); i++)
                out[i] = FLOW(i - 1) - FLOW(i);
            if (lo == 0) out[0] = -FLOW(0);
            if (hi == n) out[n - 1] = FLOW(n - 2);
            for (; p < ns && idx[p] < hi; p++) out[idx[p]] += ds[p] * c[idx[p]] + fs[p];
            acc_add(&rhs, out + lo, hi - lo);
            acc_add_dot(&content, vol + lo, c + lo, hi - lo);
        }
#undef FLOW
        result = Py_BuildValue("ddd", acc_max(&rhs), acc_max(&content), acc_sum(&content));
    }
done:
    RELEASE(&bc, &bw, &bnet, &bidx, &bds, &bfs, &bv, &bout);
    return result;
}

/* Twisted ("burn at both ends") Thomas LU: rows 0..m-1 are eliminated downwards, rows
 * n-1..m+1 upwards, row m (m = n/2) last, so that a solve runs two independent recurrences at
 * once (twice the instruction-level parallelism of one sweep).  This is Gaussian elimination
 * in a symmetric order, P M P^T, which keeps column diagonal dominance, so no pivoting is
 * needed.  Stored per row i:
 *   top (i < m):    mult = lower[i]/u[i-1], inv = 1/u[i], ratio = upper[i]/u[i],
 *                   u[i] = diag[i] - mult[i] upper[i-1];
 *   bottom (i > m): mult = upper[i]/v[i+1], inv = 1/v[i], ratio = lower[i]/v[i],
 *                   v[i] = diag[i] - mult[i] lower[i+1];
 *   middle (i = m): mult = lower[m]/u[m-1], ratio = upper[m]/v[m+1], inv = 1/gamma,
 *                   gamma = diag[m] - mult upper[m-1] - ratio lower[m+1].
 * Returns min |pivot|/|diag|, or 0 for a zero or non-finite pivot. */
static PyObject *thomas_factor(PyObject *self, PyObject *args) {
    Py_buffer bl, bdg, bu, bm, binv, br;
    if (!PyArg_ParseTuple(args, "y*y*y*w*w*w*", &bl, &bdg, &bu, &bm, &binv, &br)) return NULL;
    Py_ssize_t n = bdg.len / (Py_ssize_t)sizeof(double);
    PyObject *result = NULL;
    if (!check_size(n, 1) || !check_len(&bl, n, "lower") || !check_len(&bdg, n, "diag") || !check_len(&bu, n, "upper")
        || !check_len(&bm, n, "mult") || !check_len(&binv, n, "inv") || !check_len(&br, n, "ratio")) goto done;
    {
        const double *lower = bl.buf, *diag = bdg.buf, *upper = bu.buf;
        double *mult = bm.buf, *inv = binv.buf, *ratio = br.buf;
        Py_ssize_t m = n / 2;
        double worst = INFINITY, pivot = 0.0;
#define ACCEPT(i)                                                                     \
        if (pivot == 0.0 || !isfinite(pivot)) { worst = 0.0; goto failed; }         \
        worst = fmin(worst, fabs(pivot) / fmax(fabs(diag[i]), 1e-300));             \
        inv[i] = 1.0 / pivot;
        for (Py_ssize_t i = 0; i < m; i++) {
            mult[i] = i > 0 ? lower[i] * inv[i - 1] : 0.0;
            pivot = diag[i] - (i > 0 ? mult[i] * upper[i - 1] : 0.0);
            ACCEPT(i)
            ratio[i] = upper[i] * inv[i];
        }
        for (Py_ssize_t i = n - 1; i > m; i--) {
            mult[i] = i < n - 1 ? upper[i] * inv[i + 1] : 0.0;
            pivot = diag[i] - (i < n - 1 ? mult[i] * lower[i + 1] : 0.0);
            ACCEPT(i)
            ratio[i] = lower[i] * inv[i];
        }
        mult[m] = m > 0 ? lower[m] * inv[m - 1] : 0.0;
        ratio[m] = m < n - 1 ? upper[m] * inv[m + 1] : 0.0;
        pivot = diag[m] - (m > 0 ? mult[m] * upper[m - 1] : 0.0) - (m < n - 1 ? ratio[m] * lower[m + 1] : 0.0);
        ACCEPT(m)
#undef ACCEPT
    failed:
        result = PyFloat_FromDouble(worst);
    }
done:
    RELEASE(&bl, &bdg, &bu, &bm, &binv, &br);
    return result;
}

/* x = M^-1 b from the factors of thomas_factor: both ends inwards, then from row m outwards. */
static PyObject *thomas_solve(PyObject *self, PyObject *args) {
    Py_buffer bm, binv, br, bb, bx;
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*", &bm, &binv, &br, &bb, &bx)) return NULL;
    Py_ssize_t n = bb.len / (Py_ssize_t)sizeof(double);
    PyObject *result = NULL;
    if (!check_size(n, 1) || !check_len(&bm, n, "mult") || !check_len(&binv, n, "inv") || !check_len(&br, n, "ratio")
        || !check_len(&bx, n, "x")) goto done;
    {
        const double *mult = bm.buf, *inv = binv.buf, *ratio = br.buf, *b = bb.buf;
        double *x = bx.buf;
        Py_ssize_t m = n / 2;
        if (m > 0) x[0] = b[0];
        if (n - 1 > m) x[n - 1] = b[n - 1];
        for (Py_ssize_t j = 1; j < m || n - 1 - j > m; j++) {
            if (j < m) x[j] = b[j] - mult[j] * x[j - 1];
            if (n - 1 - j > m) x[n - 1 - j] = b[n - 1 - j] - mult[n - 1 - j] * x[n - j];
        }
        x[m] = (b[m] - (m > 0 ? mult[m] * x[m - 1] : 0.0) - (m < n - 1 ? ratio[m] * x[m + 1] : 0.0)) * inv[m];
        for (Py_ssize_t j = 1; j <= m || m + j < n; j++) {
            if (j <= m) x[m - j] = x[m - j] * inv[m - j] - ratio[m - j] * x[m - j + 1];
            if (m + j < n) x[m + j] = x[m + j] * inv[m + j] - ratio[m + j] * x[m + j - 1];
        }
        Py_INCREF(Py_None);
        result = Py_None;
    }
done:
    RELEASE(&bm, &binv, &br, &bb, &bx);
    return result;
}

/* r = M x - b for the bands of M; returns (sum r, max |r|). */
static PyObject *residual(PyObject *self, PyObject *args) {
    Py_buffer bl, bdg, bu, bx, bb, br;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*w*", &bl, &bdg, &bu, &bx, &bb, &br)) return NULL;
    Py_ssize_t n = bdg.len / (Py_ssize_t)sizeof(double);
    PyObject *result = NULL;
    if (!check_size(n, 1) || !check_len(&bl, n, "lower") || !check_len(&bu, n, "upper") || !check_len(&bx, n, "x")
        || !check_len(&bb, n, "b") || !check_len(&br, n, "r")) goto done;
    {
        const double *lower = bl.buf, *diag = bdg.buf, *upper = bu.buf, *x = bx.buf, *b = bb.buf;
        double *r = br.buf;
        Acc acc;
        acc_init(&acc);
        for (Py_ssize_t lo = 0; lo < n; lo += BLOCK) {
            Py_ssize_t hi = lo + BLOCK < n ? lo + BLOCK : n;
            for (Py_ssize_t i = lo > 0 ? lo : 1; i < (hi < n - 1 ? hi : n - 1); i++)
                r[i] = lower[i] * x[i - 1] + diag[i] * x[i] + upper[i] * x[i + 1] - b[i];
            if (lo == 0) r[0] = diag[0] * x[0] - b[0] + (n > 1 ? upper[0] * x[1] : 0.0);
            if (hi == n && n > 1) r[n - 1] = lower[n - 1] * x[n - 2] + diag[n - 1] * x[n - 1] - b[n - 1];
            acc_add(&acc, r + lo, hi - lo);
        }
        result = Py_BuildValue("dd", acc_sum(&acc), acc_max(&acc));
    }
done:
    RELEASE(&bl, &bdg, &bu, &bx, &bb, &br);
    return result;
}

/* sum u v over two equal-length float64 buffers: eight independent partial sums, which the
 * compiler packs into SIMD registers (no reassociation needed); no threaded BLAS to spin on a
 * busy 2-core machine. */
static PyObject *dot(PyObject *self, PyObject *args) {
    Py_buffer bu, bv;
    if (!PyArg_ParseTuple(args, "y*y*", &bu, &bv)) return NULL;
    Py_ssize_t n = bu.len / (Py_ssize_t)sizeof(double);
    PyObject *result = NULL;
    if (!check_len(&bv, n, "v")) goto done;
    {
        const double *u = bu.buf, *v = bv.buf;
        double s[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        Py_ssize_t i = 0;
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++) s[k] += u[i + k] * v[i + k];
        for (; i < n; i++) s[0] += u[i] * v[i];
        result = PyFloat_FromDouble(((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])));
    }
done:
    RELEASE(&bu, &bv);
    return result;
}

static PyMethodDef methods[] = {
    {"chain_rhs", chain_rhs, METH_VARARGS,
     "chain_rhs(c, w, net, index, d, f, volume, out) -> (max |out|, max |c|, sum volume c)"},
    {"thomas_factor", thomas_factor, METH_VARARGS,
     "thomas_factor(lower, diag, upper, mult, inv, ratio) -> smallest pivot/diagonal (0: failed)"},
    {"thomas_solve", thomas_solve, METH_VARARGS, "thomas_solve(mult, inv, ratio, b, x)"},
    {"dot", dot, METH_VARARGS, "dot(u, v) -> sum u v"},
    {"residual", residual, METH_VARARGS, "residual(lower, diag, upper, x, b, r) -> (sum r, max |r|)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_tridiagonal",
                                    "Compiled tridiagonal kernels (see solver/tridiagonal.py).", -1, methods};

PyMODINIT_FUNC PyInit__tridiagonal(void) { return PyModule_Create(&module); }
