// mulberry32: a small, fast generator of numbers in [0, 1) that gives the same sequence from
// the same seed on every machine, so a seeded test or benchmark input is the same everywhere.
// Shared by the random stream generators here and bench/parse/gen.mjs.
export function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
