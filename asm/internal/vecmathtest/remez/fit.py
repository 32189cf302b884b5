#!/usr/bin/env python3
"""Minimax (Remez) fits of the polynomial coefficients of asm/vecmath_coeffs.go.

Run with Python 3 and mpmath (python3 remez/fit.py > coeffs.txt); it prints the
tables of vecmath_coeffs.go, each with the maximum weighted error of its
coefficients after rounding to the element type (and the error of the
unrounded fit on stderr). The fits are linear Remez exchanges on a dense
Chebyshev grid at 50 digits; see the comments of vecmath_coeffs.go for the
form of each approximation.
"""
import sys
import mpmath as mp
mp.mp.dps = 50

def solve_lin(A, b):
    return mp.lu_solve(mp.matrix(A), mp.matrix(b))

def remez(f, w, basis, a, b, iters=30, grid=3000, verbose=False):
    n = len(basis)
    a = mp.mpf(a); b = mp.mpf(b)
    # initial reference: Chebyshev extrema
    xs = [ (a+b)/2 - (b-a)/2*mp.cos(mp.pi*j/n) for j in range(n+1)]
    G = [ a + (b-a)*(1-mp.cos(mp.pi*k/grid))/2 for k in range(grid+1)]
    fG = [f(x) for x in G]; wG = [w(x) for x in G]
    phiG = [[p(x) for p in basis] for x in G]
    best = None
    for it in range(iters):
        A = []; rhs = []
        for j, x in enumerate(xs):
            row = [p(x) for p in basis] + [(-1)**j / w(x)]
            A.append(row); rhs.append(f(x))
        sol = solve_lin(A, rhs)
        c = [sol[i] for i in range(n)]; E = sol[n]
        err = [wG[k]*(fG[k] - mp.fsum(c[i]*phiG[k][i] for i in range(n))) for k in range(len(G))]
        # runs of same sign
        runs = []
        cur = None
        for k, e in enumerate(err):
            s = 1 if e >= 0 else -1
            if cur is None or s != cur[0]:
                cur = [s, k, abs(e)]; runs.append(cur)
            elif abs(e) > cur[2]:
                cur[1] = k; cur[2] = abs(e)
        while len(runs) > n+1:
            if runs[0][2] < runs[-1][2]: runs.pop(0)
            else: runs.pop()
        maxerr = max(abs(e) for e in err)
        if verbose: print(it, mp.nstr(E, 5), mp.nstr(maxerr, 5), len(runs))
        best = (c, maxerr)
        if len(runs) < n+1:
            break
        xs = [G[r[1]] for r in runs]
        if abs(maxerr - abs(E)) < abs(E)*mp.mpf('1e-6'):
            break
    return best

def evalerr(f, w, basis, c, a, b, N=20000):
    a = mp.mpf(a); b = mp.mpf(b)
    m = 0
    for k in range(N+1):
        x = a + (b-a)*k/N
        e = abs(w(x)*(f(x) - mp.fsum(ci*p(x) for ci, p in zip(c, basis))))
        if e > m: m = e
    return m

def r64(x): return float(x)
def r32(x):
    import struct
    return struct.unpack('f', struct.pack('f', float(x)))[0]
out = []
def emit(name, cs, rr, e):
    fmt = (lambda x: repr(x)) 
    out.append("// %s: max weighted error of the rounded coefficients %s" % (name, mp.nstr(e, 3)))
    out.append("var %s = []float64{%s}" % (name, ", ".join(fmt(rr(c)) for c in cs)))
def fit(name, f, w, ks, a, b, rr, grid=4000):
    basis = [ (lambda k: (lambda z: z**k))(k) for k in ks]
    c, e = remez(f, w, basis, a, b, grid=grid, iters=40)
    cr = [rr(x) for x in c]
    e2 = evalerr(f, w, basis, cr, a, b, 6000)
    print(name, mp.nstr(e, 3), mp.nstr(e2, 3), file=sys.stderr)
    emit(name, c, rr, e2)

# exp: exp(r) = 1 + r + sum c_k r^k, k=2..
L = mp.log(2)/2 * mp.mpf('1.0005')
fe = lambda r: mp.exp(r) - 1 - r
we = lambda r: 1/mp.exp(r)
fit("expF64", fe, we, range(2, 12), -L, L, r64)
fit("expF32", fe, we, range(2, 7), -L, L, r32)
# log: log(1+f) = f - f^2/2 + s*(f^2/2 + R(s^2)), R(z) = sum c_k z^k, k=1..
smax = mp.mpf('0.17157287525381')*mp.mpf('1.001')
def Rl(z):
    if z == 0: return mp.mpf(0)
    s = mp.sqrt(z); return 2*(mp.atanh(s)/s - 1)
fit("logF64", Rl, lambda z: mp.mpf(1), range(1, 8), 0, smax**2, r64)
fit("logF32", Rl, lambda z: mp.mpf(1), range(1, 4), 0, smax**2, r32)
# atan: atan(s) = s + s*u*P(u), u = s^2
U = (mp.tan(mp.pi/8)*mp.mpf('1.0001'))**2
def Pa(u):
    s = mp.sqrt(u); return (mp.atan(s) - s)/(s*u)
def wa(u):
    s = mp.sqrt(u); return s*u/mp.atan(s)
fit("atanF64", Pa, wa, range(0, 11), U*mp.mpf('1e-4'), U, r64)
fit("atanF32", Pa, wa, range(0, 5), U*mp.mpf('1e-4'), U, r32)
# erf small: erf(x) = x + x*P(x^2), |x| < 0.84375
UA = mp.mpf('0.84375')**2*mp.mpf('1.002')
def Pe(u):
    x = mp.sqrt(u); return mp.erf(x)/x - 1
def we_(u):
    x = mp.sqrt(u); return x/mp.erf(x)
fit("erfSmallF64", Pe, we_, range(0, 11), UA*mp.mpf('1e-6'), UA, r64)
fit("erfSmallF32", Pe, we_, range(0, 6), UA*mp.mpf('1e-6'), UA, r32)
# erfc large: erfc(x) = exp(-x^2) * R(t), t = 1/(1+c x), x in [0.84375, X]
a0 = mp.mpf('0.84375')*mp.mpf('0.998')
def Rt(c):
    def f(t):
        x = (1/t - 1)/c
        return mp.erfc(x)*mp.exp(x*x)
    def w(t):
        x = (1/t - 1)/c
        return mp.exp(-x*x)
    return f, w
c64 = mp.mpf("0.4"); f, w = Rt(c64)
fit("erfcF64", f, w, range(0, 13), 1/(1+c64*6), 1/(1+c64*a0), r64)
c32 = mp.mpf('0.5'); f, w = Rt(c32)
fit("erfcF32", f, w, range(0, 6), 1/(1+c32*4), 1/(1+c32*a0), r32)
print("\n".join(out))
