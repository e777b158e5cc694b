/* Compiled loops of the 1D (tridiagonal) time step; see solver/tridiagonal.py for the maths.
 *
 * Every argument is a C-contiguous float64 buffer (numpy array); the Python wrapper in
 * solver/tridiagonal.py guarantees the dtype and layout, this file checks the lengths.
 * No numpy headers: buffers come through the buffer protocol ("y*" read, "w*" write).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static int check_len(Py_buffer *b, Py_ssize_t n, const char *name) {
    if (b->len != n * (Py_ssize_t)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd float64 values, got %zd bytes", name, n, b->len);
        return 0;
    }
    return 1;
}

/* sum and max |.| of v[0..n) with four partial accumulators (no loop-carried chain of one). */
static void sum_and_max(const double *v, Py_ssize_t n, double *sum, double *biggest) {
    double s[4] = {0.0, 0.0, 0.0, 0.0}, m[4] = {0.0, 0.0, 0.0, 0.0};
    Py_ssize_t i = 0;
    for (; i + 4 <= n; i += 4) {
        for (int k = 0; k < 4; k++) {
            double a = v[i + k];
            s[k] += a;
            m[k] = fabs(a) > m[k] ? fabs(a) : m[k];
        }
    }
    for (; i < n; i++) {
        s[0] += v[i];
        m[0] = fabs(v[i]) > m[0] ? fabs(v[i]) : m[0];
    }
    *sum = (s[0] + s[1]) + (s[2] + s[3]);
    *biggest = fmax(fmax(m[0], m[1]), fmax(m[2], m[3]));
}

#define RELEASE(...) do { Py_buffer *bs_[] = {__VA_ARGS__}; \
    for (size_t k_ = 0; k_ < sizeof(bs_) / sizeof(bs_[0]); k_++) PyBuffer_Release(bs_[k_]); } while (0)

/* out = K c + f with K c as face fluxes along a chain; returns max |out|. */
static PyObject *chain_rhs(PyObject *self, PyObject *args) {
    Py_buffer bc, bf, bw, bnet, bd, bout;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*w*", &bc, &bf, &bw, &bnet, &bd, &bout)) return NULL;
    Py_ssize_t n = bc.len / (Py_ssize_t)sizeof(double);
    PyObject *result = NULL;
    if (n < 1 || !check_len(&bc, n, "c") || !check_len(&bf, n, "f") || !check_len(&bw, n - 1, "w")
        || !check_len(&bnet, n - 1, "net") || !check_len(&bd, n, "d") || !check_len(&bout, n, "out")) goto done;
    {
        const double *c = bc.buf, *f = bf.buf, *w = bw.buf, *net = bnet.buf, *d = bd.buf;
        double *out = bout.buf, total, biggest;
        /* flow(k) = w[k] (c[k] - c[k+1]) + net[k] c[k], cell k -> k+1; recomputed per cell so
           that the loop has no carried dependence (it vectorises) */
#define FLOW(k) (w[k] * (c[k] - c[(k) + 1]) + net[k] * c[k])
        out[0] = d[0] * c[0] + f[0] - (n > 1 ? FLOW(0) : 0.0);
        for (Py_ssize_t i = 1; i < n - 1; i++) out[i] = d[i] * c[i] + f[i] + FLOW(i - 1) - FLOW(i);
        if (n > 1) out[n - 1] = d[n - 1] * c[n - 1] + f[n - 1] + FLOW(n - 2);
#undef FLOW
        sum_and_max(out, n, &total, &biggest);
        result = PyFloat_FromDouble(biggest);
    }
done:
    RELEASE(&bc, &bf, &bw, &bnet, &bd, &bout);
    return result;
}

/* Thomas LU: mult[i] = lower[i]/u[i-1], u[i] = diag[i] - mult[i] upper[i-1], inv = 1/u,
 * ratio = upper/u.  Returns min |u[i]|/|diag[i]|, or 0 for a zero or non-finite pivot. */
static PyObject *thomas_factor(PyObject *self, PyObject *args) {
    Py_buffer bl, bdg, bu, bm, binv, br;
    if (!PyArg_ParseTuple(args, "y*y*y*w*w*w*", &bl, &bdg, &bu, &bm, &binv, &br)) return NULL;
    Py_ssize_t n = bdg.len / (Py_ssize_t)sizeof(double);
    PyObject *result = NULL;
    if (n < 1 || !check_len(&bl, n, "lower") || !check_len(&bdg, n, "diag") || !check_len(&bu, n, "upper")
        || !check_len(&bm, n, "mult") || !check_len(&binv, n, "inv") || !check_len(&br, n, "ratio")) goto done;
    {
        const double *lower = bl.buf, *diag = bdg.buf, *upper = bu.buf;
        double *mult = bm.buf, *inv = binv.buf, *ratio = br.buf;
        double worst = INFINITY, u = diag[0];
        mult[0] = 0.0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (i > 0) {
                mult[i] = lower[i] / u;
                u = diag[i] - mult[i] * upper[i - 1];
            }
            if (u == 0.0 || !isfinite(u)) { worst = 0.0; break; }
            double scale = fabs(diag[i]) > 1e-300 ? fabs(diag[i]) : 1e-300;
            worst = fmin(worst, fabs(u) / scale);
            inv[i] = 1.0 / u;
            ratio[i] = upper[i] * inv[i];
        }
        result = PyFloat_FromDouble(worst);
    }
done:
    RELEASE(&bl, &bdg, &bu, &bm, &binv, &br);
    return result;
}

/* x = M^-1 b from the factors of thomas_factor. */
static PyObject *thomas_solve(PyObject *self, PyObject *args) {
    Py_buffer bm, binv, br, bb, bx;
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*", &bm, &binv, &br, &bb, &bx)) return NULL;
    Py_ssize_t n = bb.len / (Py_ssize_t)sizeof(double);
    PyObject *result = NULL;
    if (n < 1 || !check_len(&bm, n, "mult") || !check_len(&binv, n, "inv") || !check_len(&br, n, "ratio")
        || !check_len(&bx, n, "x")) goto done;
    {
        const double *mult = bm.buf, *inv = binv.buf, *ratio = br.buf, *b = bb.buf;
        double *x = bx.buf;
        x[0] = b[0];
        for (Py_ssize_t i = 1; i < n; i++) x[i] = b[i] - mult[i] * x[i - 1];
        x[n - 1] *= inv[n - 1];
        for (Py_ssize_t i = n - 2; i >= 0; i--) x[i] = x[i] * inv[i] - ratio[i] * x[i + 1];
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
    if (n < 1 || !check_len(&bl, n, "lower") || !check_len(&bu, n, "upper") || !check_len(&bx, n, "x")
        || !check_len(&bb, n, "b") || !check_len(&br, n, "r")) goto done;
    {
        const double *lower = bl.buf, *diag = bdg.buf, *upper = bu.buf, *x = bx.buf, *b = bb.buf;
        double *r = br.buf, total, biggest;
        r[0] = diag[0] * x[0] - b[0] + (n > 1 ? upper[0] * x[1] : 0.0);
        for (Py_ssize_t i = 1; i < n - 1; i++)
            r[i] = lower[i] * x[i - 1] + diag[i] * x[i] + upper[i] * x[i + 1] - b[i];
        if (n > 1) r[n - 1] = lower[n - 1] * x[n - 2] + diag[n - 1] * x[n - 1] - b[n - 1];
        sum_and_max(r, n, &total, &biggest);
        result = Py_BuildValue("dd", total, biggest);
    }
done:
    RELEASE(&bl, &bdg, &bu, &bx, &bb, &br);
    return result;
}

static PyMethodDef methods[] = {
    {"chain_rhs", chain_rhs, METH_VARARGS, "chain_rhs(c, f, w, net, d, out) -> max |out|"},
    {"thomas_factor", thomas_factor, METH_VARARGS,
     "thomas_factor(lower, diag, upper, mult, inv, ratio) -> smallest pivot/diagonal (0: failed)"},
    {"thomas_solve", thomas_solve, METH_VARARGS, "thomas_solve(mult, inv, ratio, b, x)"},
    {"residual", residual, METH_VARARGS, "residual(lower, diag, upper, x, b, r) -> (sum r, max |r|)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_tridiagonal",
                                    "Compiled tridiagonal kernels (see solver/tridiagonal.py).", -1, methods};

PyMODINIT_FUNC PyInit__tridiagonal(void) { return PyModule_Create(&module); }
