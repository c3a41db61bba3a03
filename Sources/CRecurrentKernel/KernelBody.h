// The kernel's body, included once per instruction set by RecurrentKernel.c with these
// (all but MADD undefined again at its end, so the next build defines them afresh):
//   NAME(x)    the function name for this instruction set
//   MADD(a,b,c) a*b + c (fused where the instruction set has FMA)
//   FWD_ROWS   rows per forward tile (8 units each)
//   FWD_GATE_PASSES 1 (the 4 gates at once: 4*FWD_ROWS accumulators) or 2 (2*FWD_ROWS)
//   FWD_BLOCKS 8-unit blocks per single-row forward tile (4*FWD_BLOCKS accumulators)
//   BWD_ROWS   rows per backward tile (16 units each: 2*BWD_ROWS accumulators)
//   WIDE_TILES (optional, AVX-512 only) tiles of two blocks in 16-lane vectors
//   HALF_WEIGHTS (optional) the forward pack holds F16 weights, widened to F32 as they load
//              (the same products as on the widened weights, half the bytes); no backward
// Accumulators, weights and broadcasts must fit the registers: 16 vector registers for AVX2,
// 32 for AVX-512VL. Loops over rows have constant trip counts, so they unroll into registers.

// Vector helpers, compiled for this instruction set (a v8 crosses no other ABI).
#define splat NAME(splat)
#define loadu NAME(loadu)
#define storeu NAME(storeu)
#define load_n NAME(load_n)
#define store_n NAME(store_n)
#define loadw NAME(loadw)
static inline __attribute__((always_inline)) v8 splat(float x) { return (v8)(x); }
static inline __attribute__((always_inline)) v8 loadu(const float *p) {
    v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline __attribute__((always_inline)) void storeu(float *p, v8 v) { memcpy(p, &v, sizeof v); }
// The first n lanes (n <= 8) from or to memory; the others read as zero.
static inline __attribute__((always_inline)) v8 load_n(const float *p, int n) {
    if (n >= 8) return loadu(p);
    v8 v = splat(0);
    for (int i = 0; i < n; i++) v[i] = p[i];
    return v;
}
static inline __attribute__((always_inline)) void store_n(float *p, v8 v, int n) {
    if (n >= 8) { storeu(p, v); return; }
    for (int i = 0; i < n; i++) p[i] = v[i];
}

// The forward pack's element: F32, or F16 bits (HALF_WEIGHTS).
#ifdef HALF_WEIGHTS
#define WEIGHT uint16_t
#else
#define WEIGHT float
#endif

// 8 weights from the pack as F32. F16 widens exactly: with F16C (the x86-64 builds) in one
// instruction, elsewhere bit by bit (cadenza_f16_to_f32).
static inline __attribute__((always_inline)) v8 loadw(const WEIGHT *p) {
#if !defined(HALF_WEIGHTS)
    return loadu(p);
#elif defined(HAS_F16C)
    typedef _Float16 h8 __attribute__((ext_vector_type(8)));
    h8 v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, v8);
#else
    v8 v;
    for (int i = 0; i < 8; i++) v[i] = cadenza_f16_to_f32(p[i]);
    return v;
#endif
}

// tanh(x) as x*P(x^2)/Q(x^2) on [-7.9, 7.9], +-1 beyond (max |error| ~ 3e-7 against tanhf);
// sigmoid(x) = (1 + tanh(x/2)) / 2.
static inline __attribute__((always_inline)) v8 NAME(tanh8)(v8 x) {
    const v8 limit = splat(7.905311107635498f);
    x = __builtin_elementwise_min(__builtin_elementwise_max(x, -limit), limit);
    v8 x2 = x * x;
    v8 p = splat(-2.76076847742355e-16f);
    p = MADD(p, x2, splat(2.00018790482477e-13f));
    p = MADD(p, x2, splat(-8.60467152213735e-11f));
    p = MADD(p, x2, splat(5.12229709037114e-08f));
    p = MADD(p, x2, splat(1.48572235717979e-05f));
    p = MADD(p, x2, splat(6.37261928875436e-04f));
    p = MADD(p, x2, splat(4.89352455891786e-03f));
    v8 q = splat(1.19825839466702e-06f);
    q = MADD(q, x2, splat(1.18534705686654e-04f));
    q = MADD(q, x2, splat(2.26843463243900e-03f));
    q = MADD(q, x2, splat(4.89352518554385e-03f));
    return x * p / q;
}

static inline __attribute__((always_inline)) v8 NAME(sigmoid8)(v8 x) {
    return splat(0.5f) + splat(0.5f) * NAME(tanh8)(splat(0.5f) * x);
}

// ---- forward ----

// Gate g's 8 weights for input kk in a block's pack: the block holds [i f] for every input,
// then [g o] (16 floats per input each), so a pass over two gates reads one contiguous run.
static inline __attribute__((always_inline)) const WEIGHT *NAME(gate_weights)(const WEIGHT *pk, int k, int kk, int g) {
    return pk + (size_t)(g >> 1) * k * 16 + (size_t)kk * 16 + (g & 1) * 8;
}

// The cell for one row's 8 units at local unit j (n valid), given its pre-activations.
static inline __attribute__((always_inline)) void NAME(forward_cell)(
    v8 zi, v8 zf, v8 zg, v8 zo, int units, int j, int n, float *z, const float *bias, const float *cprev, float *c,
    float *tanhc, float *h) {
    if (bias) {
        zi += load_n(bias + j, n); zf += load_n(bias + units + j, n);
        zg += load_n(bias + 2 * units + j, n); zo += load_n(bias + 3 * units + j, n);
    }
    v8 i = NAME(sigmoid8)(zi), f = NAME(sigmoid8)(zf), g = NAME(tanh8)(zg), o = NAME(sigmoid8)(zo);
    v8 cn = MADD(f, load_n(cprev + j, n), i * g);
    v8 tc = NAME(tanh8)(cn);
    float *zr = z + j;
    store_n(zr, i, n); store_n(zr + units, f, n); store_n(zr + 2 * units, g, n); store_n(zr + 3 * units, o, n);
    store_n(c + j, cn, n);
    if (tanhc) store_n(tanhc + j, tc, n);
    store_n(h + j, o * tc, n);
}

// ROWS rows (a constant <= FWD_ROWS once inlined) x 8 units starting at local unit j, n of
// the units valid: the weights of the block are read once for all the rows. With
// FWD_GATE_PASSES 2 the four gates go in two passes of two ([i f], then [g o]), so 16
// registers hold the accumulators of FWD_ROWS rows; the first pass's sums wait in z. A tile of
// rows few enough for all four gates' accumulators in those registers (2 rows of 4 gates on
// AVX2) goes in one pass: two passes of 2 rows x 2 gates left 4 FMA chains, too few to hide
// the FMA latency (a 2-row step cost what a 4-row one did). Every output sums over k in the
// same order in every pass, tile and row (the same bits).
static inline __attribute__((always_inline)) void NAME(forward_tile)(
    int CELL, int ROWS, const WEIGHT *pk, int k, int units, int j, int n, const float *x, int ldx, float *z, int ldz,
    const float *bias, const float *cprev, float *c, float *tanhc, float *h, int lds) {
    const int passes = ROWS * 4 <= FWD_ROWS * (4 / FWD_GATE_PASSES) ? 1 : FWD_GATE_PASSES, gates = 4 / passes;
    v8 acc[FWD_ROWS][4];
    for (int pass = 0; pass < passes; pass++) {
        int g0 = pass * gates;
        for (int r = 0; r < ROWS; r++)
            for (int g = 0; g < gates; g++) acc[r][g] = load_n(z + (size_t)r * ldz + (g0 + g) * units + j, n);
        for (int kk = 0; kk < k; kk++) {
            v8 wg[4];
            for (int g = 0; g < gates; g++) wg[g] = loadw(NAME(gate_weights)(pk, k, kk, g0 + g));
            for (int r = 0; r < ROWS; r++) {
                v8 a = splat(x[(size_t)r * ldx + kk]);
                for (int g = 0; g < gates; g++) acc[r][g] = MADD(a, wg[g], acc[r][g]);
            }
        }
        if (pass + 1 < passes || !CELL)
            for (int r = 0; r < ROWS; r++)
                for (int g = 0; g < gates; g++) store_n(z + (size_t)r * ldz + (g0 + g) * units + j, acc[r][g], n);
    }
    if (!CELL) return;
    for (int r = 0; r < ROWS; r++) {
        size_t s = (size_t)r * lds;
        float *zr = z + (size_t)r * ldz;
        v8 zi, zf, zg, zo;
        if (passes == 1) {
            zi = acc[r][0], zf = acc[r][1], zg = acc[r][2], zo = acc[r][3];
        } else {
            zi = load_n(zr + j, n), zf = load_n(zr + units + j, n), zg = acc[r][0], zo = acc[r][1];
        }
        NAME(forward_cell)(zi, zf, zg, zo, units, j, n, zr, bias, cprev + s, c + s, tanhc ? tanhc + s : 0, h + s);
    }
}

#ifdef WIDE_TILES
// 16-lane helpers for the wide tiles: unaligned load and store, two v8 halves joined, split.
static inline __attribute__((always_inline)) v16 NAME(loadu16)(const float *p) {
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline __attribute__((always_inline)) void NAME(storeu16)(float *p, v16 v) { memcpy(p, &v, sizeof v); }
static inline __attribute__((always_inline)) v16 NAME(loadw16)(const WEIGHT *p) {
#ifdef HALF_WEIGHTS
    typedef _Float16 h16 __attribute__((ext_vector_type(16)));
    h16 v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, v16);
#else
    return NAME(loadu16)(p);
#endif
}
static inline __attribute__((always_inline)) v16 NAME(join8)(v8 lo, v8 hi) {
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
static inline __attribute__((always_inline)) v8 NAME(low8)(v16 v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); }
static inline __attribute__((always_inline)) v8 NAME(high8)(v16 v) {
    return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}
// A product step's outputs for 8 units at local unit j (n valid) of one row: [i f] and [g o].
static inline __attribute__((always_inline)) void NAME(store_gates)(float *z, int units, int j, int n, v16 if_, v16 go) {
    store_n(z + j, NAME(low8)(if_), n); store_n(z + units + j, NAME(high8)(if_), n);
    store_n(z + 2 * units + j, NAME(low8)(go), n); store_n(z + 3 * units + j, NAME(high8)(go), n);
}

// ROWS rows x 2 full blocks (16 units from local unit j) in 16-lane vectors: a block's [i f]
// (or [g o]) weights for one input are 16 contiguous floats, so one vector FMA covers two gates
// and each broadcast input feeds 4 of them (the 8-lane tile's 4 gates x 1 block fed 4 8-lane
// ones: the broadcasts, not the FMAs, bounded it). Lane for lane the same FMAs in the same
// order over k as forward_tile (the same bits).
static inline __attribute__((always_inline)) void NAME(forward_tile_wide)(
    int CELL, int ROWS, const WEIGHT *pk, int k, int units, int j, const float *x, int ldx, float *z, int ldz, const float *bias,
    const float *cprev, float *c, float *tanhc, float *h, int lds) {
    v16 acc[FWD_ROWS][2][2];  // [row][block][0: i f, 1: g o]
    for (int r = 0; r < ROWS; r++) {
        const float *zr = z + (size_t)r * ldz + j;
        for (int b = 0; b < 2; b++) {
            acc[r][b][0] = NAME(join8)(loadu(zr + 8 * b), loadu(zr + units + 8 * b));
            acc[r][b][1] = NAME(join8)(loadu(zr + 2 * units + 8 * b), loadu(zr + 3 * units + 8 * b));
        }
    }
    for (int kk = 0; kk < k; kk++) {
        v16 w[2][2];
        for (int b = 0; b < 2; b++)
            for (int half = 0; half < 2; half++) w[b][half] = NAME(loadw16)(NAME(gate_weights)(pk + (size_t)b * k * 32, k, kk, 2 * half));
        for (int r = 0; r < ROWS; r++) {
            v16 a = (v16)(x[(size_t)r * ldx + kk]);
            for (int b = 0; b < 2; b++)
                for (int half = 0; half < 2; half++) acc[r][b][half] = MADD(a, w[b][half], acc[r][b][half]);
        }
    }
    for (int r = 0; r < ROWS; r++) {
        size_t s = (size_t)r * lds;
        float *zr = z + (size_t)r * ldz;
        for (int b = 0; b < 2; b++) {
            if (!CELL) {
                NAME(store_gates)(zr, units, j + 8 * b, 8, acc[r][b][0], acc[r][b][1]);
                continue;
            }
            NAME(forward_cell)(NAME(low8)(acc[r][b][0]), NAME(high8)(acc[r][b][0]), NAME(low8)(acc[r][b][1]),
                               NAME(high8)(acc[r][b][1]), units, j + 8 * b, 8, zr, bias, cprev + s, c + s,
                               tanhc ? tanhc + s : 0, h + s);
        }
    }
}
#endif

// One row x NB consecutive 8-unit blocks from block b0: a single stream (sampling) or the rows
// a full tile leaves. The blocks' accumulators are independent chains, so the FMA latency is
// hidden; each output still sums over k in the same order as in a tile (same bits).
static inline __attribute__((always_inline)) void NAME(forward_row)(
    int CELL, int NB, const WEIGHT *packed, int k, int units, int b0, const float *x, float *z, const float *bias,
    const float *cprev, float *c, float *tanhc, float *h) {
    v8 acc[FWD_BLOCKS][4];
    const WEIGHT *pk[FWD_BLOCKS];
    for (int nb = 0; nb < NB; nb++) {
        int j = (b0 + nb) * 8, n = units - j < 8 ? units - j : 8;
        pk[nb] = packed + (size_t)(b0 + nb) * k * 32;
        for (int g = 0; g < 4; g++) acc[nb][g] = load_n(z + g * units + j, n);
    }
    for (int kk = 0; kk < k; kk++) {
        v8 a = splat(x[kk]);
        for (int nb = 0; nb < NB; nb++) {
            for (int g = 0; g < 4; g++) acc[nb][g] = MADD(a, loadw(NAME(gate_weights)(pk[nb], k, kk, g)), acc[nb][g]);
        }
    }
    for (int nb = 0; nb < NB; nb++) {
        int j = (b0 + nb) * 8, n = units - j < 8 ? units - j : 8;
        if (!CELL)
            for (int g = 0; g < 4; g++) store_n(z + g * units + j, acc[nb][g], n);
        else
            NAME(forward_cell)(acc[nb][0], acc[nb][1], acc[nb][2], acc[nb][3], units, j, n, z, bias, cprev, c, tanhc, h);
    }
}

#ifdef WIDE_TILES
// One row x NP pairs of full blocks from block b0 in 16-lane vectors: a block's [i f] and
// [g o] for one input are 16 contiguous floats each, so a row streams its weights in half the
// loads (and an F16 pack in half the conversions) of forward_row; 4*NP independent chains
// hide the FMA latency. 2 pairs beat 4 (8 weight streams, not 16: measured 7.7 against
// 16 us for the small model's F16 step on Zen 5). The same FMAs per lane in the same order
// over k (the same bits).
static inline __attribute__((always_inline)) void NAME(forward_row_wide)(
    int CELL, int NP, const WEIGHT *packed, int k, int units, int b0, const float *x, float *z, const float *bias,
    const float *cprev, float *c, float *tanhc, float *h) {
    v16 acc[FWD_WIDE_PAIRS][2][2];  // [pair][block][0: i f, 1: g o]
    const WEIGHT *pk[FWD_WIDE_PAIRS][2];
    for (int q = 0; q < NP; q++)
        for (int b = 0; b < 2; b++) {
            int j = (b0 + 2 * q + b) * 8;
            pk[q][b] = packed + (size_t)(b0 + 2 * q + b) * k * 32;
            acc[q][b][0] = NAME(join8)(loadu(z + j), loadu(z + units + j));
            acc[q][b][1] = NAME(join8)(loadu(z + 2 * units + j), loadu(z + 3 * units + j));
        }
    for (int kk = 0; kk < k; kk++) {
        v16 a = (v16)(x[kk]);
        for (int q = 0; q < NP; q++)
            for (int b = 0; b < 2; b++)
                for (int half = 0; half < 2; half++)
                    acc[q][b][half] = MADD(a, NAME(loadw16)(NAME(gate_weights)(pk[q][b], k, kk, 2 * half)), acc[q][b][half]);
    }
    for (int q = 0; q < NP; q++)
        for (int b = 0; b < 2; b++) {
            if (!CELL) {
                NAME(store_gates)(z, units, (b0 + 2 * q + b) * 8, 8, acc[q][b][0], acc[q][b][1]);
                continue;
            }
            NAME(forward_cell)(NAME(low8)(acc[q][b][0]), NAME(high8)(acc[q][b][0]), NAME(low8)(acc[q][b][1]),
                               NAME(high8)(acc[q][b][1]), units, (b0 + 2 * q + b) * 8, 8, z, bias, cprev, c, tanhc, h);
        }
}
#endif

// The forward step (CELL 1), or the product alone (CELL 0: z += x @ W^T, no cell; the state
// pointers are unused), for `rows` rows.
static inline __attribute__((always_inline)) void NAME(forward_core)(
    int CELL, const WEIGHT *packed, int k, int units, int rows, const float *x, int ldx, float *z, int ldz,
    const float *bias, const float *cprev, float *c, float *tanhc, float *h, int lds) {
    int blocks = (units + 7) / 8;
    int tiled = rows - rows % FWD_ROWS;
    // Two or more rows a full tile leaves go in one smaller tile; a last single row goes alone.
    int left = rows - tiled, small = left >= 2 ? left : 0;
    // Tiles, block by block, so a block's weights stay in cache while its rows go by.
    for (int b = 0; b < blocks && tiled + small > 0;) {
        const WEIGHT *pk = packed + (size_t)b * k * 32;
        int j = b * 8, n = units - j < 8 ? units - j : 8;
#define ROW_ARGS(r)                                                                                                   \
    x + (size_t)(r) * ldx, ldx, z + (size_t)(r) * ldz, ldz, bias, cprev + (size_t)(r) * lds, c + (size_t)(r) * lds,   \
        tanhc ? tanhc + (size_t)(r) * lds : 0, h + (size_t)(r) * lds, lds
#define TILE(ROWS, r) NAME(forward_tile)(CELL, ROWS, pk, k, units, j, n, ROW_ARGS(r))
#define WIDE(ROWS, r) NAME(forward_tile_wide)(CELL, ROWS, pk, k, units, j, ROW_ARGS(r))
#if FWD_ROWS > 4
#error "forward tiles of more than 4 rows need more cases here"
#endif
        // Constant row counts in every call, so each tile unrolls into registers.
#ifdef WIDE_TILES
        if (units - j >= 16) {  // two full blocks
            for (int r = 0; r < tiled; r += FWD_ROWS) WIDE(FWD_ROWS, r);
            if (small == 3) WIDE(3, tiled);
            if (small == 2) WIDE(2, tiled);
            b += 2;
            continue;
        }
#endif
        for (int r = 0; r < tiled; r += FWD_ROWS) TILE(FWD_ROWS, r);
#if FWD_ROWS > 3
        if (small == 3) TILE(3, tiled);
#endif
#if FWD_ROWS > 2
        if (small == 2) TILE(2, tiled);
#endif
        b++;
#undef WIDE
#undef TILE
#undef ROW_ARGS
    }
    // A single row left, FWD_BLOCKS blocks at once.
    for (int r = tiled + small; r < rows; r++) {
        const float *xr = x + (size_t)r * ldx;
        float *zr = z + (size_t)r * ldz, *cr = c + (size_t)r * lds, *hr = h + (size_t)r * lds;
        const float *cpr = cprev + (size_t)r * lds;
        float *tr = tanhc ? tanhc + (size_t)r * lds : 0;
        int b = 0;
#ifdef WIDE_TILES
        int full = units / 8;  // blocks of 8 valid units
        for (; b + 2 * FWD_WIDE_PAIRS <= full; b += 2 * FWD_WIDE_PAIRS)
            NAME(forward_row_wide)(CELL, FWD_WIDE_PAIRS, packed, k, units, b, xr, zr, bias, cpr, cr, tr, hr);
#endif
        for (; b + FWD_BLOCKS <= blocks; b += FWD_BLOCKS)
            NAME(forward_row)(CELL, FWD_BLOCKS, packed, k, units, b, xr, zr, bias, cpr, cr, tr, hr);
        for (; b < blocks; b++) NAME(forward_row)(CELL, 1, packed, k, units, b, xr, zr, bias, cpr, cr, tr, hr);
    }
}

static __attribute__((unused)) void NAME(forward_step)(const WEIGHT *packed, int k, int units, int rows, const float *x,
                                                      int ldx, float *z, int ldz, const float *bias, const float *cprev,
                                                      float *c, float *tanhc, float *h, int lds) {
    NAME(forward_core)(1, packed, k, units, rows, x, ldx, z, ldz, bias, cprev, c, tanhc, h, lds);
}

// The product alone on a forward pack (the head's logits): the state arguments point at z,
// lds 0, so the tiles' row offsets stay inside z and nothing is read or written through them.
static __attribute__((unused)) void NAME(product_step)(const WEIGHT *packed, int k, int units, int rows, const float *x,
                                                      int ldx, float *z, int ldz) {
    NAME(forward_core)(0, packed, k, units, rows, x, ldx, z, ldz, 0, z, z, 0, z, 0);
}

#ifndef HALF_WEIGHTS
// ---- backward ----

// The cell's backward for 8 units at local unit j (n valid) of one row.
static inline __attribute__((always_inline)) void NAME(cell_backward)(
    v8 dhv, int n, float *gates, int units, float *dc, const float *tanhc, const float *cprev) {
    const v8 one = splat(1.0f);
    v8 i = load_n(gates, n), f = load_n(gates + units, n), g = load_n(gates + 2 * units, n),
       o = load_n(gates + 3 * units, n);
    v8 tc = load_n(tanhc, n);
    v8 dct = MADD(dhv * o, one - tc * tc, load_n(dc, n));
    store_n(gates, dct * g * i * (one - i), n);
    store_n(gates + units, dct * load_n(cprev, n) * f * (one - f), n);
    store_n(gates + 2 * units, dct * i * (one - g * g), n);
    store_n(gates + 3 * units, dhv * tc * o * (one - o), n);
    store_n(dc, dct * f, n);
}

// ROWS rows (a constant <= BWD_ROWS once inlined) x 16 units from local unit j, n of them valid.
static inline __attribute__((always_inline)) void NAME(backward_tile)(
    int ROWS, const float *pk, int k, int units, int j, int n, const float *dz_next, int lddz, float *dh, float *gates,
    int ldg, float *dc, const float *tanhc, const float *cprev, int lds) {
    int n0 = n < 8 ? n : 8, n1 = n - n0;
    const float *dzr[BWD_ROWS];
    v8 acc[BWD_ROWS][2];
    for (int r = 0; r < ROWS; r++) {
        dzr[r] = dz_next + (size_t)r * lddz;
        acc[r][0] = load_n(dh + (size_t)r * lds + j, n0);
        acc[r][1] = load_n(dh + (size_t)r * lds + j + 8, n1);
    }
    for (int kk = 0; kk < k; kk++) {
        v8 w0 = loadu(pk + (size_t)kk * 16), w1 = loadu(pk + (size_t)kk * 16 + 8);
        for (int r = 0; r < ROWS; r++) {
            v8 a = splat(dzr[r][kk]);
            acc[r][0] = MADD(a, w0, acc[r][0]);
            acc[r][1] = MADD(a, w1, acc[r][1]);
        }
    }
    for (int r = 0; r < ROWS; r++) {
        size_t s = (size_t)r * lds + j;
        float *gr = gates + (size_t)r * ldg + j;
        store_n(dh + s, acc[r][0], n0);
        NAME(cell_backward)(acc[r][0], n0, gr, units, dc + s, tanhc + s, cprev + s);
        if (n1 > 0) {
            store_n(dh + s + 8, acc[r][1], n1);
            NAME(cell_backward)(acc[r][1], n1, gr + 8, units, dc + s + 8, tanhc + s + 8, cprev + s + 8);
        }
    }
}

#ifdef WIDE_TILES
// ROWS rows x 32 units (two full blocks from local unit j) in 16-lane vectors: each
// broadcast dz feeds 2 vector FMAs of 16 lanes instead of 2 of 8. The same FMAs per lane in
// the same order over k as backward_tile (the same bits).
static inline __attribute__((always_inline)) void NAME(backward_tile_wide)(
    int ROWS, const float *pk, int k, int units, int j, const float *dz_next, int lddz, float *dh, float *gates,
    int ldg, float *dc, const float *tanhc, const float *cprev, int lds) {
    const float *dzr[BWD_ROWS];
    v16 acc[BWD_ROWS][2];
    for (int r = 0; r < ROWS; r++) {
        dzr[r] = dz_next + (size_t)r * lddz;
        for (int b = 0; b < 2; b++) acc[r][b] = NAME(loadu16)(dh + (size_t)r * lds + j + 16 * b);
    }
    for (int kk = 0; kk < k; kk++) {
        v16 w[2];
        for (int b = 0; b < 2; b++) w[b] = NAME(loadu16)(pk + (size_t)b * k * 16 + (size_t)kk * 16);
        for (int r = 0; r < ROWS; r++) {
            v16 a = (v16)(dzr[r][kk]);
            for (int b = 0; b < 2; b++) acc[r][b] = MADD(a, w[b], acc[r][b]);
        }
    }
    for (int r = 0; r < ROWS; r++) {
        for (int b = 0; b < 2; b++) {
            size_t s = (size_t)r * lds + j + 16 * b;
            float *gr = gates + (size_t)r * ldg + j + 16 * b;
            NAME(storeu16)(dh + s, acc[r][b]);
            NAME(cell_backward)(NAME(low8)(acc[r][b]), 8, gr, units, dc + s, tanhc + s, cprev + s);
            NAME(cell_backward)(NAME(high8)(acc[r][b]), 8, gr + 8, units, dc + s + 8, tanhc + s + 8, cprev + s + 8);
        }
    }
}
#endif

// Rows for the next backward tile when `left` rows remain: full tiles, and what is left past
// them split into one or two tiles of nearly equal size (32 rows on AVX2: 6 6 6 6 4 4, not five
// tiles of 6 and one of 6 for 2 rows, which computed 36 rows for 32). Small tiles hide less of
// the FMA latency than full ones, but every row computed is a row used.
static inline int NAME(backward_tile_rows)(int left) {
    if (left == BWD_ROWS || left >= 2 * BWD_ROWS) return BWD_ROWS;
    if (left > BWD_ROWS) return (left + 1) / 2;
    return left;
}

// One tile of `count` rows (1 ..< BWD_ROWS + 1) as a constant, so each tile unrolls into
// registers; `wide` for two full blocks in 16-lane vectors (WIDE_TILES builds).
static inline __attribute__((always_inline)) void NAME(backward_rows)(
    int count, int wide, const float *pk, int k, int units, int j, int n, const float *dz_next, int lddz, float *dh,
    float *gates, int ldg, float *dc, const float *tanhc, const float *cprev, int lds) {
#if BWD_ROWS > 8
#error "backward tiles of more than 8 rows need more cases here"
#endif
#ifdef WIDE_TILES
#define BWD_WIDE(R) if (wide) { NAME(backward_tile_wide)(R, pk, k, units, j, dz_next, lddz, dh, gates, ldg, dc, tanhc, cprev, lds); break; }
#else
#define BWD_WIDE(R) (void)wide;
#endif
#define BWD_CASE(R)                                                                                                  \
    case R:                                                                                                          \
        BWD_WIDE(R)                                                                                                  \
        NAME(backward_tile)(R, pk, k, units, j, n, dz_next, lddz, dh, gates, ldg, dc, tanhc, cprev, lds);            \
        break;
    switch (count) {
        BWD_CASE(1) BWD_CASE(2) BWD_CASE(3) BWD_CASE(4) BWD_CASE(5) BWD_CASE(6)
#if BWD_ROWS > 6
        BWD_CASE(7) BWD_CASE(8)
#endif
    }
#undef BWD_CASE
#undef BWD_WIDE
}

static __attribute__((unused)) void NAME(backward_step)(const float *packed, int k, int units, int rows, const float *dz_next, int lddz, float *dh,
                         float *gates, int ldg, float *dc, const float *tanhc, const float *cprev, int lds) {
    int blocks = (units + 15) / 16;
    for (int b = 0; b < blocks;) {
        const float *pk = packed + (size_t)b * k * 16;
        int j = b * 16, n = units - j < 16 ? units - j : 16;
        int wide = 0;
#ifdef WIDE_TILES
        wide = units - j >= 32;  // two full blocks
#endif
        for (int r = 0, m; r < rows; r += m) {
            m = NAME(backward_tile_rows)(rows - r);
            NAME(backward_rows)(m, wide, pk, k, units, j, n, dz_next + (size_t)r * lddz, lddz, dh + (size_t)r * lds,
                                gates + (size_t)r * ldg, ldg, dc + (size_t)r * lds, tanhc + (size_t)r * lds,
                                cprev + (size_t)r * lds, lds);
        }
        b += wide ? 2 : 1;
    }
}

#endif  // HALF_WEIGHTS

#undef NAME
#undef WEIGHT
#undef loadw
#undef splat
#undef loadu
#undef storeu
#undef load_n
#undef store_n
