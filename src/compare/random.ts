import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * The seeded randomness the comparison needs (bootstrap resampling): the same seed gives the same
 * intervals and verdicts on every machine, so a `vigil compare` in CI is reproducible.
 * pure-rand supplies the generator; the three draws below are what the bootstrap uses.
 */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, n). */
  index(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Poisson(λ): exact by multiplication for small λ, normal approximation above 30. */
  poisson(lambda: number): number;
}

export function seededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed);
  const uniform = (): number => uniformFloat64(rng);
  const normal = (): number => {
    // 1 - u keeps log() away from 0.
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    uniform,
    index: (n) => uniformInt(rng, 0, n - 1),
    normal,
    poisson(lambda) {
      if (lambda <= 0) return 0;
      if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = uniform();
      while (p > limit) {
        k++;
        p *= uniform();
      }
      return k;
    },
  };
}
