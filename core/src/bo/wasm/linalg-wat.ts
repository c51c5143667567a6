/**
 * WebAssembly text of the GP's triangular solves (see tri-solve.ts for how they are used):
 * 128-bit SIMD on float64 (f64x2), so two values per instruction where the JavaScript loops do
 * one. Each kernel does exactly the JavaScript version's arithmetic in the same order (lanes
 * hold the same partial sums, no fused multiply-add), so results are bit-identical to
 * linalg.ts and GpModel.predict; tri-solve.test.ts checks that.
 *
 * Memory: L (n x n, row-major float64) and the vectors live in the module's memory at byte
 * offsets the caller passes; n may be odd (tails are scalar).
 *
 *   trsm4(n, l, v, sums): V (n x 4, V[i*4 + b]) := L^{-1} V, four right-hand sides at once;
 *                         sums[b] = sum_i V[i*4 + b]^2 (the variance term of four candidates).
 *   lower(n, l, b):       b := L^{-1} b, two rows per pass (solveLowerInPlace).
 *   upper(n, l, b):       b := L^{-T} b, four rows per pass (solveLowerTransposeInPlace).
 *   cholesky(n, a):       the lower triangle of a := its Cholesky factor, two rows per pass
 *                         (choleskyInPlace, which also zeroes the upper triangle afterwards);
 *                         returns 0 at a pivot that is not positive and finite, else 1.
 *   inverse(n, l, p, out): out := (L L^T)^{-1} (full, row-major), as cholInverse. T = L^{-T} is
 *                         kept at p with rows paired and interleaved (T[2q][k], T[2q+1][k]) in
 *                         one v128, so the JavaScript version's two columns of partial sums are
 *                         the two lanes; an odd last row is paired with itself (the JavaScript
 *                         loop reads it twice too). p needs ceil(n/2) * n * 16 bytes.
 */
export function linalgWat(): string {
  return `(module
  (memory (export "memory") 1)

  (func (export "trsm4") (param $n i32) (param $l i32) (param $v i32) (param $sums i32)
    (local $i i32) (local $k i32) (local $row i32) (local $p i32) (local $o i32) (local $vi i32)
    (local $a01 v128) (local $a23 v128) (local $lik v128) (local $inv v128) (local $s01 v128) (local $s23 v128)
    (local.set $s01 (f64x2.splat (f64.const 0)))
    (local.set $s23 (f64x2.splat (f64.const 0)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3))))
        (local.set $vi (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 5))))
        (local.set $a01 (v128.load (local.get $vi)))
        (local.set $a23 (v128.load offset=16 (local.get $vi)))
        (local.set $p (local.get $row))
        (local.set $o (local.get $v))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $ks
            (br_if $kdone (i32.ge_u (local.get $k) (local.get $i)))
            (local.set $lik (f64x2.splat (f64.load (local.get $p))))
            (local.set $a01 (f64x2.sub (local.get $a01) (f64x2.mul (local.get $lik) (v128.load (local.get $o)))))
            (local.set $a23 (f64x2.sub (local.get $a23) (f64x2.mul (local.get $lik) (v128.load offset=16 (local.get $o)))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (local.set $o (i32.add (local.get $o) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $ks)))
        (local.set $inv (f64x2.splat (f64.div (f64.const 1) (f64.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $a01 (f64x2.mul (local.get $a01) (local.get $inv)))
        (local.set $a23 (f64x2.mul (local.get $a23) (local.get $inv)))
        (v128.store (local.get $vi) (local.get $a01))
        (v128.store offset=16 (local.get $vi) (local.get $a23))
        (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $a01) (local.get $a01))))
        (local.set $s23 (f64x2.add (local.get $s23) (f64x2.mul (local.get $a23) (local.get $a23))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (v128.store (local.get $sums) (local.get $s01))
    (v128.store offset=16 (local.get $sums) (local.get $s23)))

  (func (export "lower") (param $n i32) (param $l i32) (param $b i32)
    (local $i i32) (local $k i32) (local $ri i32) (local $rj i32) (local $pi i32) (local $pj i32) (local $pb i32)
    (local $acc0 v128) (local $acc1 v128) (local $bv v128) (local $b0 f64) (local $s0 f64) (local $s1 f64) (local $xi f64) (local $last i32)
    (local.set $i (i32.const 0))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $ri (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3))))
        (local.set $rj (i32.add (local.get $ri) (i32.shl (local.get $n) (i32.const 3))))
        (local.set $acc0 (f64x2.splat (f64.const 0)))
        (local.set $acc1 (f64x2.splat (f64.const 0)))
        (local.set $pi (local.get $ri))
        (local.set $pj (local.get $rj))
        (local.set $pb (local.get $b))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $ks
            (br_if $kdone (i32.ge_u (i32.add (local.get $k) (i32.const 1)) (local.get $i)))
            (local.set $bv (v128.load (local.get $pb)))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (v128.load (local.get $pi)) (local.get $bv))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (v128.load (local.get $pj)) (local.get $bv))))
            (local.set $pi (i32.add (local.get $pi) (i32.const 16)))
            (local.set $pj (i32.add (local.get $pj) (i32.const 16)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 2)))
            (br $ks)))
        ;; s = even lane (plus the odd tail) + odd lane, as (s0 + t0) in linalg.ts.
        (local.set $s0 (f64x2.extract_lane 0 (local.get $acc0)))
        (local.set $s1 (f64x2.extract_lane 0 (local.get $acc1)))
        (if (i32.lt_u (local.get $k) (local.get $i))
          (then
            (local.set $b0 (f64.load (local.get $pb)))
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $pi)) (local.get $b0))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (local.get $pj)) (local.get $b0))))))
        (local.set $s0 (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $s1 (f64.add (local.get $s1) (f64x2.extract_lane 1 (local.get $acc1))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $xi (f64.div
          (f64.sub (f64.load (local.get $pb)) (local.get $s0))
          (f64.load (i32.add (local.get $ri) (i32.shl (local.get $i) (i32.const 3))))))
        (f64.store (local.get $pb) (local.get $xi))
        (f64.store offset=8 (local.get $pb)
          (f64.div
            (f64.sub (f64.sub (f64.load offset=8 (local.get $pb)) (local.get $s1))
                     (f64.mul (f64.load (i32.add (local.get $rj) (i32.shl (local.get $i) (i32.const 3)))) (local.get $xi)))
            (f64.load offset=8 (i32.add (local.get $rj) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    ;; The last row when n is odd: dotRange's four partial sums, in its order.
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (call $lastRow (local.get $n) (local.get $l) (local.get $b) (local.get $i)))))

  ;; b[i] = (b[i] - dotRange(l, i*n, b, 0, i)) / l[i*n+i], with dotRange's four accumulators.
  (func $lastRow (param $n i32) (param $l i32) (param $b i32) (param $i i32)
    (local $ri i32) (local $k i32) (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $pr i32) (local $pb i32)
    (local.set $ri (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3))))
    (local.set $pr (local.get $ri))
    (local.set $pb (local.get $b))
    (local.set $k (i32.const 0))
    (block $d4
      (loop $l4
        (br_if $d4 (i32.ge_u (i32.add (local.get $k) (i32.const 3)) (local.get $i)))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $pr)) (f64.load (local.get $pb)))))
        (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load offset=8 (local.get $pr)) (f64.load offset=8 (local.get $pb)))))
        (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load offset=16 (local.get $pr)) (f64.load offset=16 (local.get $pb)))))
        (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load offset=24 (local.get $pr)) (f64.load offset=24 (local.get $pb)))))
        (local.set $pr (i32.add (local.get $pr) (i32.const 32)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $l4)))
    (block $d1
      (loop $l1
        (br_if $d1 (i32.ge_u (local.get $k) (local.get $i)))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $pr)) (f64.load (local.get $pb)))))
        (local.set $pr (i32.add (local.get $pr) (i32.const 8)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l1)))
    (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))))
    (f64.store (local.get $pb)
      (f64.div
        (f64.sub (f64.load (local.get $pb)) (f64.add (f64.add (f64.add (local.get $s0) (local.get $s1)) (local.get $s2)) (local.get $s3)))
        (f64.load (i32.add (local.get $ri) (i32.shl (local.get $i) (i32.const 3)))))))

  (func (export "upper") (param $n i32) (param $l i32) (param $b i32)
    (local $i i32) (local $k i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $rn i32)
    (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64) (local $pb i32) (local $off i32) (local $m i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $bi i32) (local $xi f64)
    (local.set $rn (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (i32.sub (local.get $n) (i32.const 1)))
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.lt_s (local.get $i) (i32.const 3)))
        (local.set $r0 (i32.add (local.get $l) (i32.mul (local.get $i) (local.get $rn))))
        (local.set $r1 (i32.sub (local.get $r0) (local.get $rn)))
        (local.set $r2 (i32.sub (local.get $r1) (local.get $rn)))
        (local.set $r3 (i32.sub (local.get $r2) (local.get $rn)))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $off (i32.shl (local.get $i) (i32.const 3)))
        ;; x0 = b[i] / l[r0 + i]
        (local.set $x0 (f64.div (f64.load (local.get $pb)) (f64.load (i32.add (local.get $r0) (local.get $off)))))
        ;; x1 = (b[i-1] - l[r0+i-1] x0) / l[r1+i-1]
        (local.set $x1 (f64.div
          (f64.sub (f64.load (i32.sub (local.get $pb) (i32.const 8))) (f64.mul (f64.load (i32.sub (i32.add (local.get $r0) (local.get $off)) (i32.const 8))) (local.get $x0)))
          (f64.load (i32.sub (i32.add (local.get $r1) (local.get $off)) (i32.const 8)))))
        ;; x2 = (b[i-2] - l[r0+i-2] x0 - l[r1+i-2] x1) / l[r2+i-2]
        (local.set $x2 (f64.div
          (f64.sub
            (f64.sub (f64.load (i32.sub (local.get $pb) (i32.const 16))) (f64.mul (f64.load (i32.sub (i32.add (local.get $r0) (local.get $off)) (i32.const 16))) (local.get $x0)))
            (f64.mul (f64.load (i32.sub (i32.add (local.get $r1) (local.get $off)) (i32.const 16))) (local.get $x1)))
          (f64.load (i32.sub (i32.add (local.get $r2) (local.get $off)) (i32.const 16)))))
        ;; x3 = (b[i-3] - l[r0+i-3] x0 - l[r1+i-3] x1 - l[r2+i-3] x2) / l[r3+i-3]
        (local.set $x3 (f64.div
          (f64.sub
            (f64.sub
              (f64.sub (f64.load (i32.sub (local.get $pb) (i32.const 24))) (f64.mul (f64.load (i32.sub (i32.add (local.get $r0) (local.get $off)) (i32.const 24))) (local.get $x0)))
              (f64.mul (f64.load (i32.sub (i32.add (local.get $r1) (local.get $off)) (i32.const 24))) (local.get $x1)))
            (f64.mul (f64.load (i32.sub (i32.add (local.get $r2) (local.get $off)) (i32.const 24))) (local.get $x2)))
          (f64.load (i32.sub (i32.add (local.get $r3) (local.get $off)) (i32.const 24)))))
        (f64.store (local.get $pb) (local.get $x0))
        (f64.store (i32.sub (local.get $pb) (i32.const 8)) (local.get $x1))
        (f64.store (i32.sub (local.get $pb) (i32.const 16)) (local.get $x2))
        (f64.store (i32.sub (local.get $pb) (i32.const 24)) (local.get $x3))
        ;; b[k] -= l0 x0 + l1 x1 + (l2 x2 + l3 x3) for k < i - 3, two k per step.
        (local.set $v0 (f64x2.splat (local.get $x0)))
        (local.set $v1 (f64x2.splat (local.get $x1)))
        (local.set $v2 (f64x2.splat (local.get $x2)))
        (local.set $v3 (f64x2.splat (local.get $x3)))
        (local.set $m (i32.sub (local.get $i) (i32.const 3)))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $ks
            (br_if $kdone (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $m)))
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $bi (i32.add (local.get $b) (local.get $off)))
            (v128.store (local.get $bi)
              (f64x2.sub (v128.load (local.get $bi))
                (f64x2.add
                  (f64x2.add
                    (f64x2.mul (v128.load (i32.add (local.get $r0) (local.get $off))) (local.get $v0))
                    (f64x2.mul (v128.load (i32.add (local.get $r1) (local.get $off))) (local.get $v1)))
                  (f64x2.add
                    (f64x2.mul (v128.load (i32.add (local.get $r2) (local.get $off))) (local.get $v2))
                    (f64x2.mul (v128.load (i32.add (local.get $r3) (local.get $off))) (local.get $v3))))))
            (local.set $k (i32.add (local.get $k) (i32.const 2)))
            (br $ks)))
        (if (i32.lt_s (local.get $k) (local.get $m))
          (then
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $bi (i32.add (local.get $b) (local.get $off)))
            (f64.store (local.get $bi)
              (f64.sub (f64.load (local.get $bi))
                (f64.add
                  (f64.add
                    (f64.mul (f64.load (i32.add (local.get $r0) (local.get $off))) (local.get $x0))
                    (f64.mul (f64.load (i32.add (local.get $r1) (local.get $off))) (local.get $x1)))
                  (f64.add
                    (f64.mul (f64.load (i32.add (local.get $r2) (local.get $off))) (local.get $x2))
                    (f64.mul (f64.load (i32.add (local.get $r3) (local.get $off))) (local.get $x3))))))))
        (local.set $i (i32.sub (local.get $i) (i32.const 4)))
        (br $quads)))
    ;; The remaining rows one at a time.
    (block $rest_done
      (loop $rest
        (br_if $rest_done (i32.lt_s (local.get $i) (i32.const 0)))
        (local.set $r0 (i32.add (local.get $l) (i32.mul (local.get $i) (local.get $rn))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $xi (f64.div (f64.load (local.get $pb)) (f64.load (i32.add (local.get $r0) (i32.shl (local.get $i) (i32.const 3))))))
        (f64.store (local.get $pb) (local.get $xi))
        (local.set $k (i32.const 0))
        (block $kd
          (loop $kl
            (br_if $kd (i32.ge_s (local.get $k) (local.get $i)))
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $bi (i32.add (local.get $b) (local.get $off)))
            (f64.store (local.get $bi) (f64.sub (f64.load (local.get $bi)) (f64.mul (f64.load (i32.add (local.get $r0) (local.get $off))) (local.get $xi))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $kl)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $rest))))
  ;; dotRange(a, ao, b, bo, len) of linalg.ts: four partial sums (k mod 4), then the tail into
  ;; the first, added up as ((s0 + s1) + s2) + s3. Lanes of $p hold s0, s1 and of $q s2, s3.
  (func $dot4 (param $a i32) (param $b i32) (param $len i32) (result f64)
    (local $k i32) (local $p v128) (local $q v128) (local $s0 f64)
    (local.set $p (f64x2.splat (f64.const 0)))
    (local.set $q (f64x2.splat (f64.const 0)))
    (local.set $k (i32.const 0))
    (block $d4
      (loop $l4
        (br_if $d4 (i32.ge_s (i32.add (local.get $k) (i32.const 3)) (local.get $len)))
        (local.set $p (f64x2.add (local.get $p) (f64x2.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $q (f64x2.add (local.get $q) (f64x2.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $l4)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $p)))
    (block $d1
      (loop $l1
        (br_if $d1 (i32.ge_s (local.get $k) (local.get $len)))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l1)))
    (f64.add (f64.add (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $p))) (f64x2.extract_lane 0 (local.get $q))) (f64x2.extract_lane 1 (local.get $q))))

  (func (export "cholesky") (param $n i32) (param $a i32) (result i32)
    (local $j i32) (local $i i32) (local $k i32) (local $rn i32) (local $rj i32) (local $r1 i32) (local $r2 i32)
    (local $s f64) (local $ljj f64) (local $inv f64) (local $acc1 v128) (local $acc2 v128) (local $v v128) (local $v0 f64)
    (local $pj i32) (local $p1 i32) (local $p2 i32) (local $jo i32)
    (local.set $rn (i32.shl (local.get $n) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $cols_done
      (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $rj (i32.add (local.get $a) (i32.mul (local.get $j) (local.get $rn))))
        (local.set $jo (i32.shl (local.get $j) (i32.const 3)))
        (local.set $s (f64.sub (f64.load (i32.add (local.get $rj) (local.get $jo))) (call $dot4 (local.get $rj) (local.get $rj) (local.get $j))))
        ;; !(s > 0) || !isFinite(s)
        (if (i32.or (i32.eqz (f64.gt (local.get $s) (f64.const 0))) (f64.ne (f64.sub (local.get $s) (local.get $s)) (f64.const 0)))
          (then (return (i32.const 0))))
        (local.set $ljj (f64.sqrt (local.get $s)))
        (f64.store (i32.add (local.get $rj) (local.get $jo)) (local.get $ljj))
        (local.set $inv (f64.div (f64.const 1) (local.get $ljj)))
        (local.set $i (i32.add (local.get $j) (i32.const 1)))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
            (local.set $r1 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rn))))
            (local.set $r2 (i32.add (local.get $r1) (local.get $rn)))
            ;; lanes: (s, t) of linalg.ts, s starting at a[r + j], t at 0.
            (local.set $acc1 (f64x2.replace_lane 0 (f64x2.splat (f64.const 0)) (f64.load (i32.add (local.get $r1) (local.get $jo)))))
            (local.set $acc2 (f64x2.replace_lane 0 (f64x2.splat (f64.const 0)) (f64.load (i32.add (local.get $r2) (local.get $jo)))))
            (local.set $pj (local.get $rj))
            (local.set $p1 (local.get $r1))
            (local.set $p2 (local.get $r2))
            (local.set $k (i32.const 0))
            (block $kdone
              (loop $ks
                (br_if $kdone (i32.ge_s (i32.add (local.get $k) (i32.const 1)) (local.get $j)))
                (local.set $v (v128.load (local.get $pj)))
                (local.set $acc1 (f64x2.sub (local.get $acc1) (f64x2.mul (v128.load (local.get $p1)) (local.get $v))))
                (local.set $acc2 (f64x2.sub (local.get $acc2) (f64x2.mul (v128.load (local.get $p2)) (local.get $v))))
                (local.set $pj (i32.add (local.get $pj) (i32.const 16)))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 2)))
                (br $ks)))
            (if (i32.lt_s (local.get $k) (local.get $j))
              (then
                (local.set $v0 (f64.load (local.get $pj)))
                (local.set $acc1 (f64x2.replace_lane 0 (local.get $acc1)
                  (f64.sub (f64x2.extract_lane 0 (local.get $acc1)) (f64.mul (f64.load (local.get $p1)) (local.get $v0)))))
                (local.set $acc2 (f64x2.replace_lane 0 (local.get $acc2)
                  (f64.sub (f64x2.extract_lane 0 (local.get $acc2)) (f64.mul (f64.load (local.get $p2)) (local.get $v0)))))))
            (f64.store (i32.add (local.get $r1) (local.get $jo))
              (f64.mul (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1))) (local.get $inv)))
            (f64.store (i32.add (local.get $r2) (local.get $jo))
              (f64.mul (f64.add (f64x2.extract_lane 0 (local.get $acc2)) (f64x2.extract_lane 1 (local.get $acc2))) (local.get $inv)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_s (local.get $i) (local.get $n))
          (then
            (local.set $r1 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rn))))
            (f64.store (i32.add (local.get $r1) (local.get $jo))
              (f64.mul (f64.sub (f64.load (i32.add (local.get $r1) (local.get $jo))) (call $dot4 (local.get $r1) (local.get $rj) (local.get $j))) (local.get $inv)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols)))
    (i32.const 1))

  (func (export "inverse") (param $n i32) (param $l i32) (param $p i32) (param $out i32)
    (local $rn i32) (local $rp i32) (local $j i32) (local $i i32) (local $k i32) (local $q i32)
    (local $pa i32) (local $li i32) (local $pk i32) (local $acc v128) (local $inv f64) (local $d f64)
    (local $jj i32) (local $pi i32) (local $pj i32) (local $acc0 v128) (local $acc1 v128) (local $a v128) (local $b v128)
    (local $tjj f64) (local $hasI2 i32) (local $hasJ2 i32) (local $s f64)
    (local.set $rn (i32.shl (local.get $n) (i32.const 3)))
    (local.set $rp (i32.shl (local.get $n) (i32.const 4)))
    ;; T = 0.
    (memory.fill (local.get $p) (i32.const 0) (i32.mul (i32.shr_u (i32.add (local.get $n) (i32.const 1)) (i32.const 1)) (local.get $rp)))
    ;; Phase 1: rows j, j+1 of T together.
    (local.set $j (i32.const 0))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $n)))
        (local.set $pa (i32.add (local.get $p) (i32.mul (i32.shr_u (local.get $j) (i32.const 1)) (local.get $rp))))
        ;; T[j][j] = 1 / l[j][j]; T[j][j+1] = -(l[j+1][j] T[j][j]) / l[j+1][j+1]; T[j+1][j+1] = 1 / l[j+1][j+1].
        (local.set $li (i32.add (local.get $l) (i32.mul (local.get $j) (local.get $rn))))
        (local.set $d (f64.div (f64.const 1) (f64.load (i32.add (local.get $li) (i32.shl (local.get $j) (i32.const 3))))))
        (f64.store (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 4))) (local.get $d))
        (local.set $li (i32.add (local.get $li) (local.get $rn)))
        (f64.store (i32.add (local.get $pa) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 4)))
          (f64.div (f64.neg (f64.mul (f64.load (i32.add (local.get $li) (i32.shl (local.get $j) (i32.const 3)))) (local.get $d)))
                   (f64.load offset=8 (i32.add (local.get $li) (i32.shl (local.get $j) (i32.const 3))))))
        (f64.store offset=8 (i32.add (local.get $pa) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 4)))
          (f64.div (f64.const 1) (f64.load offset=8 (i32.add (local.get $li) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $i (i32.add (local.get $j) (i32.const 2)))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_s (local.get $i) (local.get $n)))
            (local.set $li (i32.add (local.get $l) (i32.mul (local.get $i) (local.get $rn))))
            ;; (sa, sb) = (l[i][j] T[j][j], 0)
            (local.set $acc (f64x2.replace_lane 0 (f64x2.splat (f64.const 0))
              (f64.mul (f64.load (i32.add (local.get $li) (i32.shl (local.get $j) (i32.const 3)))) (local.get $d))))
            (local.set $k (i32.add (local.get $j) (i32.const 1)))
            (local.set $pk (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 4))))
            (local.set $q (i32.add (local.get $li) (i32.shl (local.get $k) (i32.const 3))))
            (block $kdone
              (loop $ks
                (br_if $kdone (i32.ge_s (local.get $k) (local.get $i)))
                (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (f64x2.splat (f64.load (local.get $q))) (v128.load (local.get $pk)))))
                (local.set $q (i32.add (local.get $q) (i32.const 8)))
                (local.set $pk (i32.add (local.get $pk) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks)))
            (local.set $inv (f64.div (f64.const 1) (f64.load (i32.add (local.get $li) (i32.shl (local.get $i) (i32.const 3))))))
            (v128.store (i32.add (local.get $pa) (i32.shl (local.get $i) (i32.const 4)))
              (f64x2.mul (f64x2.neg (local.get $acc)) (f64x2.splat (local.get $inv))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    ;; An odd last row: T[j][j] = 1 / l[j][j], in both lanes of its pair.
    (if (i32.lt_s (local.get $j) (local.get $n))
      (then
        (v128.store
          (i32.add (i32.add (local.get $p) (i32.mul (i32.shr_u (local.get $j) (i32.const 1)) (local.get $rp))) (i32.shl (local.get $j) (i32.const 4)))
          (f64x2.splat (f64.div (f64.const 1) (f64.load (i32.add (i32.add (local.get $l) (i32.mul (local.get $j) (local.get $rn))) (i32.shl (local.get $j) (i32.const 3)))))))))
    ;; Phase 2: out[i][jj] = sum_{k >= jj} T[i][k] T[jj][k], 2 x 2 blocks: lanes (s00, s01) and (s10, s11).
    (local.set $i (i32.const 0))
    (block $bi_done
      (loop $bi
        (br_if $bi_done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $hasI2 (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $pi (i32.add (local.get $p) (i32.mul (i32.shr_u (local.get $i) (i32.const 1)) (local.get $rp))))
        (local.set $jj (local.get $i))
        (block $bj_done
          (loop $bj
            (br_if $bj_done (i32.ge_s (local.get $jj) (local.get $n)))
            (local.set $hasJ2 (i32.lt_s (i32.add (local.get $jj) (i32.const 1)) (local.get $n)))
            (local.set $pj (i32.add (local.get $p) (i32.mul (i32.shr_u (local.get $jj) (i32.const 1)) (local.get $rp))))
            (local.set $a (v128.load (i32.add (local.get $pi) (i32.shl (local.get $jj) (i32.const 4)))))
            (local.set $tjj (f64.load (i32.add (local.get $pj) (i32.shl (local.get $jj) (i32.const 4)))))
            (local.set $acc0 (f64x2.replace_lane 0 (f64x2.splat (f64.const 0)) (f64.mul (f64x2.extract_lane 0 (local.get $a)) (local.get $tjj))))
            (local.set $acc1 (f64x2.replace_lane 0 (f64x2.splat (f64.const 0)) (f64.mul (f64x2.extract_lane 1 (local.get $a)) (local.get $tjj))))
            (local.set $k (i32.add (local.get $jj) (i32.const 1)))
            (local.set $q (i32.add (local.get $pi) (i32.shl (local.get $k) (i32.const 4))))
            (local.set $pk (i32.add (local.get $pj) (i32.shl (local.get $k) (i32.const 4))))
            (block $kdone2
              (loop $ks2
                (br_if $kdone2 (i32.ge_s (local.get $k) (local.get $n)))
                (local.set $a (v128.load (local.get $q)))
                (local.set $b (v128.load (local.get $pk)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (f64x2.splat (f64x2.extract_lane 0 (local.get $a))) (local.get $b))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (f64x2.splat (f64x2.extract_lane 1 (local.get $a))) (local.get $b))))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (local.set $pk (i32.add (local.get $pk) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks2)))
            ;; out[i][jj] = out[jj][i] = s00
            (local.set $s (f64x2.extract_lane 0 (local.get $acc0)))
            (f64.store (i32.add (local.get $out) (i32.add (i32.mul (local.get $i) (local.get $rn)) (i32.shl (local.get $jj) (i32.const 3)))) (local.get $s))
            (f64.store (i32.add (local.get $out) (i32.add (i32.mul (local.get $jj) (local.get $rn)) (i32.shl (local.get $i) (i32.const 3)))) (local.get $s))
            (if (local.get $hasJ2)
              (then
                (local.set $s (f64x2.extract_lane 1 (local.get $acc0)))
                (f64.store offset=8 (i32.add (local.get $out) (i32.add (i32.mul (local.get $i) (local.get $rn)) (i32.shl (local.get $jj) (i32.const 3)))) (local.get $s))
                (f64.store (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $jj) (i32.const 1)) (local.get $rn)) (i32.shl (local.get $i) (i32.const 3)))) (local.get $s))))
            (if (local.get $hasI2)
              (then
                (local.set $s (f64x2.extract_lane 0 (local.get $acc1)))
                (f64.store (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $i) (i32.const 1)) (local.get $rn)) (i32.shl (local.get $jj) (i32.const 3)))) (local.get $s))
                (f64.store offset=8 (i32.add (local.get $out) (i32.add (i32.mul (local.get $jj) (local.get $rn)) (i32.shl (local.get $i) (i32.const 3)))) (local.get $s))
                (if (local.get $hasJ2)
                  (then
                    (local.set $s (f64x2.extract_lane 1 (local.get $acc1)))
                    (f64.store offset=8 (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $i) (i32.const 1)) (local.get $rn)) (i32.shl (local.get $jj) (i32.const 3)))) (local.get $s))
                    (f64.store offset=8 (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $jj) (i32.const 1)) (local.get $rn)) (i32.shl (local.get $i) (i32.const 3)))) (local.get $s))))))
            (local.set $jj (i32.add (local.get $jj) (i32.const 2)))
            (br $bj)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $bi)))
  )
)
`;
}
