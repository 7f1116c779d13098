import { setFlagsFromString } from 'node:v8';

// V8's intrinsics, for the functions compiled below only: code parsed before this line (the code under test) is unchanged.
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
const optimizeOnNextCall = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;

/**
 * Whether the objects `make` returns share one hidden class (V8 map) once `make` is optimized, as it is on a hot path.
 * Where they do not, every object comes with a map of its own, allocated in the old generation: that map, until a
 * major collection, keeps the young objects it points to alive through young-generation collections (docs/benchmarks.md,
 * "One hidden class a verdict").
 */
export function shareOneHiddenClass(make: (i: number) => object): boolean {
  prepare(make);
  for (let i = 0; i < 100; i++) make(i);
  optimizeOnNextCall(make);
  const made = [make(100), make(101), make(102)];
  return haveSameMap(made[0], made[1]) && haveSameMap(made[1], made[2]);
}
