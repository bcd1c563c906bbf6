/**
 * Upper tail of the standard normal distribution, P(Z > z), for the Mann–Kendall normal
 * approximation. Uses the Chebyshev-fitted complementary error function published in Numerical
 * Recipes (fractional error below 1.2e-7 everywhere), which keeps tiny p-values meaningful
 * where `1 - cdf` would cancel to 0.
 */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-a * a + poly);
  return x >= 0 ? r : 2 - r;
}
