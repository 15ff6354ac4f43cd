/* The allocation passes of serve._serve_nearest, compiled: for a group whose items are
   all in one hall, from their positions (serve_hall), or over a group's pair table
   (serve_passes).

   Why this exists (issue 18): after one rack moves, its hall's air handlers and leaf
   ports are allocated again. On the 1M-chip benchmark that is about 360 racks over 26
   air handlers and 256 UltraServer racks over 103 network racks: each numpy call works
   on a few hundred numbers, so the two allocations (about 45 numpy calls per round of
   allocate.assign, plus the passes' set-up) cost 2 ms in call overhead, half of the
   edit. Here the same passes run as plain loops: about 0.2 ms for the three.

   This is a transcription, not a new algorithm: every float is computed by the same
   IEEE operations in the same order as the numpy code it replaces (serve._serve_nearest,
   pairs branch; allocate.assign), so the result is bit for bit the same. The numpy code
   stays the definition and the fallback when this module is not built; the tests
   compare the two on random inputs. Comments name the numpy line each step mirrors.

   Build: setup.py (an optional extension: a machine without a C compiler installs and
   runs without it). No numpy headers: arrays come in through the buffer protocol. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* a*b+c must not be fused into one rounding: numpy rounds each operation (GCC: setup.py
   passes -ffp-contract=off) */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define EPS 1e-9

/* ------------------------------------------------------------------ growable arrays */
typedef struct {
    char *data;
    Py_ssize_t len, cap, size;
} Vec;

static int vec_reserve(Vec *v, Py_ssize_t n)
{
    if (n <= v->cap)
        return 0;
    Py_ssize_t cap = v->cap ? v->cap : 64;
    while (cap < n)
        cap *= 2;
    char *p = realloc(v->data, (size_t)(cap * v->size));
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    v->data = p;
    v->cap = cap;
    return 0;
}

/* append one value of type T (the vector's element) */
#define VEC_PUSH(v, T, x) \
    ((v)->len < (v)->cap || vec_reserve((v), (v)->len + 1) == 0 ? (((T *)(v)->data)[(v)->len++] = (x), 0) : -1)

/* ------------------------------------------------------------------ candidates */
typedef struct {
    int64_t item, unit;
    double dist;
    uint64_t order;   /* the item's preference: smaller first (unique within an item) */
} Cand;

/* Put the item's preferred candidate among cand[at:end) at ``at``. Candidates are kept
   unsorted and picked when asked for (a selection sort done lazily): most items are
   served by their first or second choice, so sorting each item's list would be wasted
   (assign sorts the rest of a list once its item goes past its second choice). */
static inline void pick(Cand *cand, Py_ssize_t at, Py_ssize_t end)
{
    Py_ssize_t best = at;
    for (Py_ssize_t k = at + 1; k < end; k++)
        best = cand[k].order < cand[best].order ? k : best;
    if (best != at) {
        Cand t = cand[at];
        cand[at] = cand[best];
        cand[best] = t;
    }
}

static int bit_length(uint64_t v)
{
    int n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

static int bits_at_least_one(int64_t v)
{
    int b = bit_length((uint64_t)(v < 0 ? 0 : v));
    return b > 1 ? b : 1;
}

/* Sort (key, index) pairs by key: keys are distinct, so any correct sort gives the one
   order numpy's sorts give. Quicksort (median of three) over insertion sort for short
   runs, with the comparison inline: glibc's qsort, calling a comparator per step, took
   most of the time here. */
typedef struct {
    uint64_t key;
    int64_t idx;
} Keyed;

static void sort_keyed(Keyed *a, Py_ssize_t n)
{
    while (n > 16) {
        Py_ssize_t m = n / 2, l = n - 1;
        /* median of three into a[0] */
        if (a[m].key < a[0].key) { Keyed t = a[m]; a[m] = a[0]; a[0] = t; }
        if (a[l].key < a[0].key) { Keyed t = a[l]; a[l] = a[0]; a[0] = t; }
        if (a[l].key < a[m].key) { Keyed t = a[l]; a[l] = a[m]; a[m] = t; }
        { Keyed t = a[m]; a[m] = a[0]; a[0] = t; }
        uint64_t pivot = a[0].key;
        Py_ssize_t i = 0, j = n;
        for (;;) {
            do i++; while (i < n && a[i].key < pivot);
            do j--; while (a[j].key > pivot);
            if (i >= j) break;
            Keyed t = a[i]; a[i] = a[j]; a[j] = t;
        }
        { Keyed t = a[0]; a[0] = a[j]; a[j] = t; }
        /* recurse into the smaller side, loop on the larger (depth stays logarithmic) */
        if (j < n - j - 1) {
            sort_keyed(a, j);
            a += j + 1;
            n -= j + 1;
        } else {
            sort_keyed(a + j + 1, n - j - 1);
            n = j;
        }
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        Keyed x = a[i];
        Py_ssize_t j = i;
        while (j > 0 && a[j - 1].key > x.key) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* cand[at:end) in the order of preference (``order``: unique within an item). */
static int sort_rest(Cand *cand, Py_ssize_t at, Py_ssize_t end)
{
    Py_ssize_t n = end - at;
    Keyed *k = malloc(sizeof(Keyed) * (size_t)(n ? n : 1));
    Cand *tmp = malloc(sizeof(Cand) * (size_t)(n ? n : 1));
    if (!k || !tmp) {
        free(k);
        free(tmp);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        k[i].key = cand[at + i].order;
        k[i].idx = i;
    }
    sort_keyed(k, n);
    for (Py_ssize_t i = 0; i < n; i++)
        tmp[i] = cand[at + k[i].idx];
    memcpy(cand + at, tmp, sizeof(Cand) * (size_t)n);
    free(k);
    free(tmp);
    return 0;
}

/* ------------------------------------------------------------------ allocate.assign */
typedef struct {
    int64_t server;
    int64_t kmm;      /* key to the millimetre (packed order) */
    double key;       /* exact key (lexsort order, when the three do not pack in 63 bits) */
    int64_t item;
    int64_t pos;      /* the candidate asked */
} Req;

static int cmp_req_exact(const void *a, const void *b)
{
    const Req *x = a, *y = b;
    if (x->server != y->server) return x->server < y->server ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->item != y->item) return x->item < y->item ? -1 : 1;
    return 0;
}

typedef struct {
    Vec item, unit, amount;   /* the grants, in the order allocate.assign makes them */
} Grants;

/* allocate.assign(n_items, cand..., demand, capacity, partial) for candidates sorted by
   item then preference. ``got`` receives demand - residual per item; the grants are
   appended to ``out``. Returns -1 with a Python error set on failure. */
static int sort_rest(Cand *cand, Py_ssize_t at, Py_ssize_t end);

static int assign(Py_ssize_t n_items, Cand *cand, Py_ssize_t n_cand, const double *demand,
                  const double *capacity, Py_ssize_t n_units, int partial, int in_order, double *got, Grants *out)
{
    int rc = -1;
    double *remaining = NULL, *residual = NULL, *binc = NULL;
    Py_ssize_t *starts = NULL, *ends = NULL, *ptr = NULL, *picked = NULL;
    int64_t *waiting = NULL, *still = NULL;
    Req *req = NULL, *sorted_req = NULL;
    Keyed *keyed = NULL;
    char *touched = NULL;

    if (n_cand == 0) {
        for (Py_ssize_t i = 0; i < n_items; i++)
            got[i] = demand[i] - demand[i];
        return 0;
    }
    remaining = malloc(sizeof(double) * (size_t)(n_units ? n_units : 1));
    residual = malloc(sizeof(double) * (size_t)n_items);
    binc = calloc((size_t)(n_units ? n_units : 1), sizeof(double));
    touched = calloc((size_t)(n_units ? n_units : 1), 1);
    starts = calloc((size_t)n_items, sizeof(Py_ssize_t));
    ends = calloc((size_t)n_items, sizeof(Py_ssize_t));
    ptr = malloc(sizeof(Py_ssize_t) * (size_t)n_items);
    picked = malloc(sizeof(Py_ssize_t) * (size_t)n_items);
    waiting = malloc(sizeof(int64_t) * (size_t)n_items);
    still = malloc(sizeof(int64_t) * (size_t)n_items);
    req = malloc(sizeof(Req) * (size_t)n_items);
    sorted_req = malloc(sizeof(Req) * (size_t)n_items);
    keyed = malloc(sizeof(Keyed) * (size_t)n_items);
    if (!remaining || !residual || !binc || !touched || !starts || !ends || !ptr || !picked || !waiting || !still || !req
        || !sorted_req || !keyed) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(remaining, capacity, sizeof(double) * (size_t)n_units);
    memcpy(residual, demand, sizeof(double) * (size_t)n_items);

    /* packed = (server, key to the mm, item) in 63 bits, else lexsort (server, key, item) */
    int64_t max_server = 0;
    double max_kmm = 0.0;    /* key_mm.max(initial=0.0) */
    for (Py_ssize_t k = 0; k < n_cand; k++) {
        if (cand[k].unit > max_server) max_server = cand[k].unit;
        double kmm = rint(cand[k].dist * 1000.0);
        if (kmm > max_kmm) max_kmm = kmm;
    }
    /* (a key beyond 2^62 mm cannot pack: numpy's Python int would need more bits) */
    int key_bits = max_kmm >= 4.6e18 ? 64 : bits_at_least_one((int64_t)max_kmm);
    int item_bits = bits_at_least_one((int64_t)n_items);
    int packed = bits_at_least_one(max_server + 1) + item_bits + key_bits <= 63;

    /* counts = bincount(cand_item); ends = cumsum(counts); starts = ends - counts */
    for (Py_ssize_t k = 0; k < n_cand; k++)
        ends[cand[k].item]++;
    Py_ssize_t acc = 0;
    for (Py_ssize_t i = 0; i < n_items; i++) {
        Py_ssize_t c = ends[i];
        starts[i] = acc;
        acc += c;
        ends[i] = acc;
        ptr[i] = starts[i];
        picked[i] = -1;
    }
    Py_ssize_t n_wait = 0;
    for (Py_ssize_t i = 0; i < n_items; i++)
        if (ends[i] > starts[i] && residual[i] > 0)
            waiting[n_wait++] = i;
    int first = 1;
    while (n_wait) {
        for (Py_ssize_t w = 0; w < n_wait; w++) {
            int64_t it = waiting[w];
            if (!in_order && picked[it] != ptr[it] && picked[it] != PTRDIFF_MAX) {
                if (ptr[it] - starts[it] < 2) {
                    pick(cand, ptr[it], ends[it]);
                    picked[it] = ptr[it];
                } else {   /* (past its second choice: the rest in order once, not picked each time) */
                    if (sort_rest(cand, ptr[it], ends[it]) < 0)
                        goto done;
                    picked[it] = PTRDIFF_MAX;
                }
            }
            const Cand *c = &cand[ptr[it]];
            req[w].server = c->unit;
            req[w].key = c->dist;
            req[w].kmm = packed ? (int64_t)rint(c->dist * 1000.0) : 0;
            req[w].item = waiting[w];
            req[w].pos = ptr[waiting[w]];
        }
        if (packed) {   /* the packed integer of allocate.assign, sorted with its index */
            for (Py_ssize_t w = 0; w < n_wait; w++) {
                keyed[w].key = ((uint64_t)req[w].server << (key_bits + item_bits))
                               | ((uint64_t)req[w].kmm << item_bits) | (uint64_t)req[w].item;
                keyed[w].idx = w;
            }
            sort_keyed(keyed, n_wait);
            for (Py_ssize_t w = 0; w < n_wait; w++)
                sorted_req[w] = req[keyed[w].idx];
            memcpy(req, sorted_req, sizeof(Req) * (size_t)n_wait);
        } else {
            qsort(req, (size_t)n_wait, sizeof(Req), cmp_req_exact);
        }
        /* cum = cumsum(dem); cum -= maximum.accumulate(where(head, cum - dem, 0)) */
        double run = 0.0, base = 0.0;
        Py_ssize_t n_took = 0;
        for (Py_ssize_t w = 0; w < n_wait; w++) {
            int64_t it = req[w].item, s = req[w].server;
            double dem = residual[it];
            run = run + dem;
            int head = (w == 0) || (s != req[w - 1].server);
            double v = head ? run - dem : 0.0;
            base = (w == 0 || v > base) ? v : base;   /* np.maximum.accumulate */
            double cum = run - base;
            double room = remaining[s];
            double g;
            if (partial) {   /* np.clip(room - (cum - dem), 0, dem) = min(max(x, 0), dem) */
                double x = room - (cum - dem);
                double m = x > 0.0 ? x : 0.0;
                g = m < dem ? m : dem;
            } else {
                g = cum <= room + EPS ? dem : 0.0;
            }
            req[w].key = g;   /* (the key is no longer needed: keep the grant here) */
            if (g > 0) {
                n_took++;
                if (VEC_PUSH(&out->item, int64_t, it) < 0 || VEC_PUSH(&out->unit, int64_t, s) < 0
                    || VEC_PUSH(&out->amount, double, g) < 0)
                    goto done;
                binc[s] = binc[s] + g;   /* np.bincount(t_srv, t_got): in order, from 0.0 */
                touched[s] = 1;
            }
        }
        if (n_took) {
            /* remaining -= bincount(...); residual[t_item] = residual - got (|left| < 1e-9 → 0) */
            for (Py_ssize_t w = 0; w < n_wait; w++) {
                int64_t s = req[w].server;
                if (touched[s]) {
                    remaining[s] = remaining[s] - binc[s];
                    binc[s] = 0.0;
                    touched[s] = 0;
                }
            }
            for (Py_ssize_t w = 0; w < n_wait; w++) {
                double g = req[w].key;
                if (g > 0) {
                    int64_t it = req[w].item;
                    double left = residual[it] - g;
                    if (fabs(left) < EPS) left = 0.0;
                    residual[it] = left;
                }
            }
        }
        if (first) {   /* demands below a nano-unit count as met */
            for (Py_ssize_t i = 0; i < n_items; i++)
                if (fabs(residual[i]) < EPS) residual[i] = 0.0;
            first = 0;
        }
        Py_ssize_t n_still = 0;
        for (Py_ssize_t w = 0; w < n_wait; w++)
            if (residual[req[w].item] > 0)
                still[n_still++] = req[w].item;
        if (!partial && n_took) {   /* first fit: one that fits in what is left asks again */
            for (Py_ssize_t k = 0; k < n_still; k++) {
                int64_t it = still[k];
                if (!(residual[it] <= remaining[cand[ptr[it]].unit] + EPS))
                    ptr[it]++;
            }
        } else {
            for (Py_ssize_t k = 0; k < n_still; k++)
                ptr[still[k]]++;
        }
        n_wait = 0;
        for (Py_ssize_t k = 0; k < n_still; k++)
            if (ptr[still[k]] < ends[still[k]])
                waiting[n_wait++] = still[k];
    }
    for (Py_ssize_t i = 0; i < n_items; i++)
        got[i] = demand[i] - residual[i];
    rc = 0;
done:
    free(remaining);
    free(residual);
    free(binc);
    free(touched);
    free(starts);
    free(ends);
    free(ptr);
    free(picked);
    free(waiting);
    free(still);
    free(req);
    free(sorted_req);
    free(keyed);
    return rc;
}

/* ------------------------------------------------------------------ the passes */
/* The pairs worked out from positions (serve._Pairs and serve._distance, cell by cell)
   instead of read from a pair table. */
typedef struct {
    const int64_t *table;   /* halls x w: each hall's units ascending, padded with -1 */
    const double *ix, *iy, *ex, *ux, *uy, *reach;
    double scale, most, in_rack;
    int direct;
} Positions;

typedef struct {
    Py_ssize_t n, w, n_units, n_halls;
    const int64_t *unit;             /* the pair table (n x w) when ``pos`` is NULL */
    const double *dist, *cheb;
    const unsigned char *ok;
    const Positions *pos;
    const int64_t *ih;
    const unsigned char *dense;
    const double *radius;
    const double *demand;
    double *served, *remaining;
    int partial;
} Problem;

/* serve._distance: (Manhattan + the item's extra) x scale, port to port when shorter for
   units side by side in the item's row, rounded to 1 nm as np.round(d, 9) does (x 1e9,
   rint, / 1e9). */
static inline double routed(const Positions *q, Py_ssize_t i, double adx, double ady)
{
    double d = (adx + ady + q->ex[i]) * q->scale;
    if (q->direct && ady < 0.05 && adx <= q->most + 1e-9) {
        double v = (adx + 2 * q->in_rack) * q->scale;
        d = (d <= v || isnan(d)) ? d : v;               /* np.minimum(d, v), NaN kept */
    }
    return rint(d * 1e9) / 1e9;
}

/* Pair (item i, column c): whether it is within ``lim`` (Chebyshev), and then its unit,
   routed distance and whether the unit exists and reaches (-1: a unit out of range). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int cell(const Problem *p, Py_ssize_t i, Py_ssize_t c, double lim, int64_t *unit, double *dist,
                       int *ok)
{
    if (!p->pos) {
        Py_ssize_t k = i * p->w + c;
        int64_t u = p->unit[k];
        if (u < 0 || u >= p->n_units)
            return -1;
        if (!(p->cheb[k] <= lim))
            return 0;
        *unit = u;
        *dist = p->dist[k];
        *ok = p->ok[k] && !isnan(*dist);   /* (a NaN distance never reaches, as in serve._Pairs) */
        return 1;
    }
    const Positions *q = p->pos;
    int64_t cand = q->table[p->ih[i] * p->w + c];
    int64_t u = cand < 0 ? 0 : cand;                    /* np.maximum(cand, 0) */
    if (u >= p->n_units)
        return -1;
    double adx = fabs(q->ix[i] - q->ux[u]), ady = fabs(q->iy[i] - q->uy[u]);
    if (!(((adx >= ady || isnan(adx)) ? adx : ady) <= lim))   /* np.maximum(adx, ady) <= lim */
        return 0;
    *unit = u;
    *dist = routed(q, i, adx, ady);
    *ok = cand >= 0 && *dist <= q->reach[u];
    return 1;
}

/* serve._serve_nearest's run(): assign what is still wanted, then add it up */
static int run(Problem *p, Cand *cand, Py_ssize_t n_cand, int in_order, double *want, double *got, Grants *out)
{
    for (Py_ssize_t i = 0; i < p->n; i++) {
        double left = p->demand[i] - p->served[i];
        want[i] = left > EPS ? left : 0.0;
    }
    Py_ssize_t before = out->item.len;
    if (assign(p->n, cand, n_cand, want, p->remaining, p->n_units, p->partial, in_order, got, out) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < p->n; i++)
        p->served[i] = p->served[i] + got[i];
    /* np.subtract.at(remaining, units, amounts): one grant at a time, in order */
    const int64_t *gu = (const int64_t *)out->unit.data;
    const double *ga = (const double *)out->amount.data;
    for (Py_ssize_t k = before; k < out->item.len; k++)
        p->remaining[gu[k]] = p->remaining[gu[k]] - ga[k];
    return 0;
}

/* the k nearest of a row: by the nudged distance (dist + column × 1e-12), ties to the column */
typedef struct {
    double nudged, dist;
    int64_t unit, col;
} RowCand;

static int cmp_nudged(const void *a, const void *b)
{
    const RowCand *x = a, *y = b;
    if (x->nudged != y->nudged) return x->nudged < y->nudged ? -1 : 1;
    return x->col < y->col ? -1 : (x->col > y->col);
}

/* np.lexsort((pc, pd)): by distance, then unit */
static int cmp_dist_unit(const void *a, const void *b)
{
    const RowCand *x = a, *y = b;
    if (x->dist != y->dist) return x->dist < y->dist ? -1 : 1;
    return x->unit < y->unit ? -1 : (x->unit > y->unit);
}

/* np.argsort(dist, kind="stable"): by distance, then column */
static int cmp_dist_col(const void *a, const void *b)
{
    const RowCand *x = a, *y = b;
    if (x->dist != y->dist) return x->dist < y->dist ? -1 : 1;
    return x->col < y->col ? -1 : (x->col > y->col);
}

static int passes(Problem *p, int table_k, Grants *out)
{
    int rc = -1;
    Py_ssize_t n = p->n, w = p->w;
    Vec cv = {NULL, 0, 0, sizeof(Cand)};
    double *want = malloc(sizeof(double) * (size_t)(n ? n : 1));
    double *got = malloc(sizeof(double) * (size_t)(n ? n : 1));
    RowCand *row = malloc(sizeof(RowCand) * (size_t)(w ? w : 1));
    Py_ssize_t *sel = malloc(sizeof(Py_ssize_t) * (size_t)(w ? w : 1));
    /* from positions: each hall's unit centres in column order (NaN where the row is
       padded: no comparison holds), so that the near passes scan contiguous arrays */
    Py_ssize_t cells = p->pos ? p->n_halls * w : 0;
    double *colx = malloc(sizeof(double) * (size_t)(cells ? cells : 1));
    double *coly = malloc(sizeof(double) * (size_t)(cells ? cells : 1));
    if (!want || !got || !row || !colx || !coly || !sel) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < cells; k++) {
        int64_t cand = p->pos->table[k];
        if (cand >= p->n_units)
            goto bad_unit;
        colx[k] = cand < 0 ? NAN : p->pos->ux[cand];
        coly[k] = cand < 0 ? NAN : p->pos->uy[cand];
    }
    /* _sort_key's field widths */
    int bu = bits_at_least_one((int64_t)p->n_units);
    int bi = bits_at_least_one((int64_t)n);
    int bd = 63 - bu - bi;
    double cap_mm = (double)(bd >= 63 ? INT64_MAX : (int64_t)((((uint64_t)1) << bd) - 1));

    /* passes 1 and 2: units near each item, widening */
    static const double widen[2] = {1.0, 4.0};
    for (int pass = 0; pass < 2; pass++) {
        Py_ssize_t n_todo = 0;
        cv.len = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (!(p->demand[i] - p->served[i] > EPS) || p->dense[p->ih[i]])
                continue;
            n_todo++;
            double lim = p->radius[p->ih[i]] * widen[pass];
            /* the columns within the radius, compacted without a branch per column (about
               half pass in the wider pass: a branch would be mispredicted that often) */
            Py_ssize_t m = 0;
            if (p->pos) {
                const double *hx = colx + p->ih[i] * w, *hy = coly + p->ih[i] * w;
                double ix = p->pos->ix[i], iy = p->pos->iy[i];
                for (Py_ssize_t c = 0; c < w; c++) {
                    sel[m] = c;
                    m += (fabs(ix - hx[c]) <= lim) & (fabs(iy - hy[c]) <= lim);
                }
            } else {
                const double *ch = p->cheb + i * w;
                for (Py_ssize_t c = 0; c < w; c++) {
                    sel[m] = c;
                    m += ch[c] <= lim;
                }
            }
            /* this item's candidates, preferred in the order of serve._sort_key:
               (millimetres, unit) */
            if (vec_reserve(&cv, cv.len + m) < 0)
                goto done;
            for (Py_ssize_t j = 0; j < m; j++) {
                int64_t u;
                double dist;
                int ok, near = cell(p, i, sel[j], lim, &u, &dist, &ok);
                if (near < 0)
                    goto bad_unit;
                if (near && ok && p->remaining[u] > EPS) {
                    double v = rint(dist * 1000.0);
                    if (v > cap_mm) v = cap_mm;   /* np.minimum(rint, cap) */
                    Cand cd = {i, u, dist, ((uint64_t)(int64_t)v << bu) | (uint64_t)u};
                    ((Cand *)cv.data)[cv.len++] = cd;
                }
            }
        }
        if (!n_todo)
            break;
        if (!cv.len)
            continue;
        if (run(p, (Cand *)cv.data, cv.len, 0, want, got, out) < 0)
            goto done;
    }
    /* then the table of every unit of the hall: each item's k nearest, then all */
    for (int round = 0; round < 2; round++) {
        int limited = round == 0;
        Py_ssize_t n_todo = 0;
        cv.len = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (!(p->demand[i] - p->served[i] > EPS))
                continue;
            n_todo++;
            Py_ssize_t m = 0;
            for (Py_ssize_t c = 0; c < w; c++) {
                int64_t u = 0;
                double dist = INFINITY;
                int ok = 0, near = cell(p, i, c, INFINITY, &u, &dist, &ok);
                if (near < 0)
                    goto bad_unit;
                double d = (near && ok && p->remaining[u] > EPS) ? dist : INFINITY;
                row[m].dist = d;
                row[m].nudged = d + (double)c * 1e-12;
                row[m].unit = u;
                row[m].col = c;
                m++;
            }
            Py_ssize_t take = m;
            if (limited && w > table_k) {
                /* np.argpartition(nudged, k - 1)[:, :k]: the k smallest, kept in order as the
                   row is scanned (k is small) */
                take = 0;
                for (Py_ssize_t c = 0; c < m; c++) {
                    RowCand x = row[c];
                    if (take == table_k && cmp_nudged(&x, &row[take - 1]) >= 0)
                        continue;
                    Py_ssize_t j = take < table_k ? take++ : take - 1;
                    while (j > 0 && cmp_nudged(&x, &row[j - 1]) < 0) {
                        row[j] = row[j - 1];
                        j--;
                    }
                    row[j] = x;
                }
                qsort(row, (size_t)take, sizeof(RowCand), cmp_dist_unit);
            } else {
                qsort(row, (size_t)m, sizeof(RowCand), cmp_dist_col);
            }
            for (Py_ssize_t k = 0; k < take; k++) {
                if (!isfinite(row[k].dist))
                    continue;
                Cand cd = {i, row[k].unit, row[k].dist, (uint64_t)k};   /* (the row is sorted) */
                if (VEC_PUSH(&cv, Cand, cd) < 0)
                    goto done;
            }
        }
        if (!n_todo)
            break;
        if (cv.len && run(p, (Cand *)cv.data, cv.len, 1, want, got, out) < 0)   /* (rows in order) */
            goto done;
        if (w <= table_k)
            break;   /* the first round already offered every unit */
    }
    rc = 0;
    goto done;
bad_unit:
    PyErr_SetString(PyExc_ValueError, "a unit index is out of range");
done:
    free(cv.data);
    free(colx);
    free(coly);
    free(sel);
    free(want);
    free(got);
    free(row);
    return rc;
}

/* ------------------------------------------------------------------ Python */
/* ``kind``: 'd' float64, 'q' int64, '?' bool (numpy's formats: d, l or q, ?); ``count``
   values (-1: any number) */
static int get_buffer(PyObject *obj, Py_buffer *view, int writable, Py_ssize_t count, char kind, const char *name)
{
    if (PyObject_GetBuffer(obj, view, (writable ? PyBUF_WRITABLE : 0) | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '=' || *f == '@' || *f == '<')
        f++;
    int ok = kind == 'd'   ? (view->itemsize == 8 && strcmp(f, "d") == 0)
             : kind == 'q' ? (view->itemsize == 8 && (strcmp(f, "l") == 0 || strcmp(f, "q") == 0))
                           : (view->itemsize == 1 && strcmp(f, "?") == 0);
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s: an array of %s expected (format %s)", name,
                     kind == 'd' ? "float64" : kind == 'q' ? "int64" : "bool", view->format ? view->format : "B");
    } else if (count >= 0 && (view->len % view->itemsize || view->len / view->itemsize != count)) {
        PyErr_Format(PyExc_ValueError, "%s: %zd values, expected %zd", name, view->len / view->itemsize, count);
        ok = 0;
    }
    if (!ok) {
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

static PyObject *vec_bytes(Vec *v)
{
    return PyByteArray_FromStringAndSize(v->data ? v->data : "", v->len * v->size);
}

typedef struct { Py_ssize_t count; char kind; int writable; const char *name; } Spec;

/* Take the buffers, check every item's hall, run the passes, return the grants. */
static PyObject *solve(PyObject **o, const Spec *spec, int n_buf, Problem *p, int table_k)
{
    Py_buffer b[16];
    memset(b, 0, sizeof(b));
    PyObject *result = NULL;
    Grants out = {{NULL, 0, 0, sizeof(int64_t)}, {NULL, 0, 0, sizeof(int64_t)}, {NULL, 0, 0, sizeof(double)}};
    int i;
    if (p->n < 0 || p->w < 0 || p->n_units < 0 || p->n_halls < 0 || table_k < 1
        || (p->w && p->n > PY_SSIZE_T_MAX / 16 / p->w) || p->n_halls > PY_SSIZE_T_MAX / 16 / (p->w ? p->w : 1)) {
        PyErr_SetString(PyExc_ValueError, "a size out of range");
        return NULL;
    }
    for (i = 0; i < n_buf; i++)
        if (get_buffer(o[i], &b[i], spec[i].writable, spec[i].count, spec[i].kind, spec[i].name) < 0)
            goto done;
    p->ih = b[n_buf - 6].buf;
    p->dense = b[n_buf - 5].buf;
    p->radius = b[n_buf - 4].buf;
    p->demand = b[n_buf - 3].buf;
    p->served = b[n_buf - 2].buf;
    p->remaining = b[n_buf - 1].buf;
    if (!p->pos) {
        p->unit = b[0].buf;
        p->dist = b[1].buf;
        p->cheb = b[2].buf;
        p->ok = b[3].buf;
    } else {
        Positions *q = (Positions *)p->pos;
        q->table = b[0].buf;
        q->ix = b[1].buf;
        q->iy = b[2].buf;
        q->ex = b[3].buf;
        q->ux = b[4].buf;
        q->uy = b[5].buf;
        q->reach = b[6].buf;
    }
    for (Py_ssize_t k = 0; k < p->n; k++)
        if (p->ih[k] < 0 || p->ih[k] >= p->n_halls) {
            PyErr_SetString(PyExc_ValueError, "an item's hall is out of range");
            goto done;
        }
    if (passes(p, table_k, &out) < 0)
        goto done;
    result = Py_BuildValue("(NNN)", vec_bytes(&out.item), vec_bytes(&out.unit), vec_bytes(&out.amount));
done:
    for (i = 0; i < n_buf; i++)
        if (b[i].obj)
            PyBuffer_Release(&b[i]);
    free(out.item.data);
    free(out.unit.data);
    free(out.amount.data);
    return result;
}

PyDoc_STRVAR(serve_passes_doc,
"serve_passes(unit, dist, cheb, ok, ih, dense, radius, demand, served, remaining,\n"
"             n, w, n_units, n_halls, partial, table_k)\n"
"--\n\n"
"serve._serve_nearest's passes over a pair table (n items x w columns: unit int64,\n"
"dist and cheb float64, ok bool; ih int64 per item; dense bool and radius float64 per\n"
"hall; demand float64 per item). ``served`` (per item) and ``remaining`` (per unit) are\n"
"updated in place. Returns the grants (item, unit, amount) as three bytearrays of\n"
"int64, int64 and float64.");

static PyObject *serve_passes(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *o[10];
    Problem p;
    memset(&p, 0, sizeof(p));
    int partial, table_k;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOnnnnpi", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7],
                          &o[8], &o[9], &p.n, &p.w, &p.n_units, &p.n_halls, &partial, &table_k))
        return NULL;
    p.partial = partial;
    Py_ssize_t n = p.n, w = p.w;
    const Spec spec[10] = {
        {n * w, 'q', 0, "unit"}, {n * w, 'd', 0, "dist"}, {n * w, 'd', 0, "cheb"}, {n * w, '?', 0, "ok"},
        {n, 'q', 0, "ih"}, {p.n_halls, '?', 0, "dense"}, {p.n_halls, 'd', 0, "radius"}, {n, 'd', 0, "demand"},
        {n, 'd', 1, "served"}, {p.n_units, 'd', 1, "remaining"}};
    return solve(o, spec, 10, &p, table_k);
}

PyDoc_STRVAR(serve_hall_doc,
"serve_hall(items, units, hall_of, x, y, extra, reach, demand, capacity, radius, scale,\n"
"           direct, most, in_rack, dense_pairs, fast_cells, partial, table_k)\n"
"--\n\n"
"serve._serve_nearest for a group whose items are all in one hall, with the pairs worked\n"
"out from positions (serve._Pairs): ``items`` and ``units`` index the group's arrays\n"
"``hall_of`` (int64), ``x``, ``y`` and ``extra`` (float64; ``extra`` may be a float);\n"
"``reach``/``capacity`` per unit, ``demand`` per item, ``radius`` per hall. Returns\n"
"None when the items are in several halls or the pair table would exceed\n"
"``fast_cells`` (the caller's numpy path takes over), else (served per item, grants\n"
"item, unit, amount) as bytearrays of float64, int64, int64, float64.");

static PyObject *serve_hall(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *o[10], *extra_obj;
    double scale, most, in_rack;
    int direct, partial, table_k;
    Py_ssize_t dense_pairs, fast_cells;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOdpddnnpi", &o[0], &o[1], &o[2], &o[3], &o[4], &extra_obj, &o[5],
                          &o[6], &o[7], &o[8], &scale, &direct, &most, &in_rack, &dense_pairs, &fast_cells,
                          &partial, &table_k))
        return NULL;
    o[9] = extra_obj;
    double extra_value = 0.0;
    int extra_array = !PyFloat_Check(extra_obj) && !PyLong_Check(extra_obj);
    if (!extra_array && (extra_value = PyFloat_AsDouble(extra_obj), PyErr_Occurred()))
        return NULL;
    Py_buffer b[10];
    memset(b, 0, sizeof(b));
    PyObject *result = NULL;
    Grants out = {{NULL, 0, 0, sizeof(int64_t)}, {NULL, 0, 0, sizeof(int64_t)}, {NULL, 0, 0, sizeof(double)}};
    int64_t *table = NULL, *ih = NULL, *ucount = NULL;
    double *ix = NULL, *iy = NULL, *ex = NULL, *ux = NULL, *uy = NULL, *served = NULL, *remaining = NULL;
    /* the sizes, from items and units */
    const char kinds[10] = {'q', 'q', 'q', 'd', 'd', 'd', 'd', 'd', 'd', 'd'};
    const char *names[10] = {"items", "units", "hall_of", "x", "y", "reach", "demand", "capacity", "radius", "extra"};
    int i;
    for (i = 0; i < (extra_array ? 10 : 9); i++)
        if (get_buffer(o[i], &b[i], 0, -1, kinds[i], names[i]) < 0)
            goto done;
    const int64_t *items = b[0].buf, *units = b[1].buf, *hall_of = b[2].buf;
    const double *x = b[3].buf, *y = b[4].buf, *reach = b[5].buf, *demand = b[6].buf, *capacity = b[7].buf;
    const double *radius = b[8].buf, *extra = extra_array ? b[9].buf : NULL;
    Py_ssize_t n = b[0].len / 8, nu = b[1].len / 8, ng = b[2].len / 8, nr = b[8].len / 8;
    Py_ssize_t ne = extra ? b[9].len / 8 : ng;   /* (``extra`` is indexed by item) */
    if (b[3].len / 8 != ng || b[4].len / 8 != ng || b[5].len / 8 != nu || b[7].len / 8 != nu || b[6].len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "serve_hall: arrays of unequal lengths");
        goto done;
    }
    if (n == 0 || nu == 0) {
        PyErr_SetString(PyExc_ValueError, "serve_hall: no items or no units");
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++)
        if (items[k] < 0 || items[k] >= ng || items[k] >= ne) {
            PyErr_SetString(PyExc_ValueError, "serve_hall: an item index is out of range");
            goto done;
        }
    for (Py_ssize_t k = 0; k < nu; k++)
        if (units[k] < 0 || units[k] >= ng) {
            PyErr_SetString(PyExc_ValueError, "serve_hall: a unit index is out of range");
            goto done;
        }
    /* one hall? (serve._serve_nearest: ih.min() == ih.max()) */
    int64_t h0 = hall_of[items[0]], n_h = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (hall_of[items[k]] != h0) {
            result = Py_None;
            Py_INCREF(result);
            goto done;
        }
    }
    /* (hall indices bounded before any arithmetic on them: a count per hall is kept) */
    const int64_t most_halls = (int64_t)1 << 31;
    if (h0 < 0 || h0 >= nr || h0 >= most_halls) {
        PyErr_SetString(PyExc_ValueError, "serve_hall: a hall index is out of range");
        goto done;
    }
    for (Py_ssize_t k = 0; k < nu; k++) {
        int64_t h = hall_of[units[k]];
        if (h < 0 || h >= most_halls) {
            PyErr_SetString(PyExc_ValueError, "serve_hall: a hall index is out of range");
            goto done;
        }
        if (h + 1 > n_h) n_h = h + 1;
    }
    if (h0 + 1 > n_h) n_h = h0 + 1;
    /* a demand that is not a finite number: the numpy path (its one-step attempt and the
       passes part ways there; the engine's demands are always finite) */
    for (Py_ssize_t k = 0; k < n; k++)
        if (!isfinite(demand[k])) {
            result = Py_None;
            Py_INCREF(result);
            goto done;
        }
    /* serve._unit_table: the widest hall sets the table's width; this hall's row holds
       its units ascending, padded with -1 */
    ucount = calloc((size_t)n_h, sizeof(int64_t));
    if (!ucount) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t w = 0;
    for (Py_ssize_t k = 0; k < nu; k++)
        ucount[hall_of[units[k]]]++;
    for (int64_t h = 0; h < n_h; h++)
        if (ucount[h] > w) w = ucount[h];
    if (w && n > fast_cells / w) {   /* (n * w > fast_cells, without overflow) */
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    /* dense: items x units of the hall at most dense_pairs (then the table passes only) */
    unsigned char dense = (int64_t)n * ucount[h0] <= dense_pairs;
    double hall_radius = radius[h0];
    table = malloc(sizeof(int64_t) * (size_t)(w ? w : 1));
    ih = calloc((size_t)n, sizeof(int64_t));
    ix = malloc(sizeof(double) * (size_t)n);
    iy = malloc(sizeof(double) * (size_t)n);
    ex = malloc(sizeof(double) * (size_t)n);
    ux = malloc(sizeof(double) * (size_t)nu);
    uy = malloc(sizeof(double) * (size_t)nu);
    served = calloc((size_t)n, sizeof(double));
    remaining = malloc(sizeof(double) * (size_t)nu);
    if (!table || !ih || !ix || !iy || !ex || !ux || !uy || !served || !remaining) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t c = 0;
    for (Py_ssize_t k = 0; k < nu; k++) {
        if (hall_of[units[k]] == h0)
            table[c++] = k;
        ux[k] = x[units[k]];
        uy[k] = y[units[k]];
        remaining[k] = capacity[k];
    }
    for (; c < w; c++)
        table[c] = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        ix[k] = x[items[k]];
        iy[k] = y[items[k]];
        ex[k] = extra ? extra[items[k]] : extra_value;
    }
    Positions q = {table, ix, iy, ex, ux, uy, reach, scale, most, in_rack, direct};
    Problem p;
    memset(&p, 0, sizeof(p));
    p.n = n;
    p.w = w;
    p.n_units = nu;
    p.n_halls = 1;    /* (the one hall's row of the table; every item's hall is 0 here) */
    p.pos = &q;
    p.ih = ih;
    p.dense = &dense;
    p.radius = &hall_radius;
    p.demand = demand;
    p.served = served;
    p.remaining = remaining;
    p.partial = partial;
    if (table_k < 1) {
        PyErr_SetString(PyExc_ValueError, "table_k < 1");
        goto done;
    }
    if (passes(&p, table_k, &out) < 0)
        goto done;
    Vec sv = {(char *)served, n, n, sizeof(double)};
    result = Py_BuildValue("(NNNN)", vec_bytes(&sv), vec_bytes(&out.item), vec_bytes(&out.unit),
                           vec_bytes(&out.amount));
done:
    for (i = 0; i < 10; i++)
        if (b[i].obj)
            PyBuffer_Release(&b[i]);
    free(out.item.data);
    free(out.unit.data);
    free(out.amount.data);
    free(table);
    free(ih);
    free(ucount);
    free(ix);
    free(iy);
    free(ex);
    free(ux);
    free(uy);
    free(served);
    free(remaining);
    return result;
}

static PyMethodDef methods[] = {
    {"serve_passes", serve_passes, METH_VARARGS, serve_passes_doc},
    {"serve_hall", serve_hall, METH_VARARGS, serve_hall_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "designer.engine._allocate",
    "The allocation passes of serve._serve_nearest, compiled (same results, bit for bit).", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__allocate(void)
{
    return PyModule_Create(&module);
}
