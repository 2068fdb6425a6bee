// Kernel bench page: the same weight products (`KernelBench`, random matrices in the model's
// layouts and shapes) in the SIMD128 module (/pkg/qingyu.js) and the relaxed-SIMD text module
// (/pkg/relaxed/qingyu_text.js), one thread each, interleaved run by run so that both see the same
// machine; each figure is the fastest of `runs` timed runs (the least disturbed by other work).
// Results land in `window.__benchResult`.
const q = new URLSearchParams(location.search);
const RUNS = Math.max(3, Number(q.get('runs') || 15));
// [layout, rows, cols, tokens]: the model's attention (896×896) and FFN-down (896×4864) shapes,
// one token (decode) and 16 (a prefill tile run).
const CASES = [
  ['q5', 896, 896, 1], ['q5', 896, 896, 16], ['q5r', 896, 896, 1], ['q5r', 896, 896, 16],
  ['q5x', 896, 896, 1], ['q5x', 896, 896, 16],
  ['q4', 896, 4864, 1], ['q4', 896, 4864, 16], ['q6', 896, 4864, 1], ['q6', 896, 4864, 16],
  ['q4r', 896, 4864, 1], ['q4r', 896, 4864, 16], ['q6r', 896, 4864, 1], ['q6r', 896, 4864, 16],
  ['q6x', 896, 4864, 1], ['q6x', 896, 4864, 16],
];
// `?cases=q5:151936:896:1,q6:896:4864:1` replaces the list (e.g. the output head, out of cache).
if (q.get('cases')) CASES.splice(0, CASES.length, ...q.get('cases').split(',').map((c) => {
  const [layout, ...dims] = c.split(':');
  return [layout, ...dims.map(Number)];
}));
// q5, q4 and q6 are what the loader holds (relaxed: four rows per block, `Q5Quads`, `Q4Quads`,
// `Q6Quads`); q5r, q4r and q6r one row per block in both modules.
const LAYOUTS = { q5: 'Q5_0 packed', q5r: 'Q5_0 packed, one row per block', q5x: 'Q5_0 expanded', q4: 'Q4_K packed', q4r: 'Q4_K packed, one row per block', q6: 'Q6_K packed', q6r: 'Q6_K packed, one row per block', q6x: 'Q6_K expanded' };
const logEl = document.getElementById('log');
const log = (m) => { console.log(`[bench] ${m}`); logEl.textContent += `${m}\n`; };

async function load(url) {
  try {
    const mod = await import(url);
    await mod.default();
    return { mod, path: mod.kernelSelfTest(1, 4) };
  } catch (e) {
    return { error: `${url}: ${e.message}` };
  }
}

const simd128 = await load('/pkg/qingyu.js');
const relaxed = await load('/pkg/relaxed/qingyu_text.js');
const result = { runs: RUNS, simd128: simd128.path ?? simd128.error, relaxed: relaxed.path ?? relaxed.error, rows: [] };
if (simd128.error || relaxed.error) {
  result.error = simd128.error ?? relaxed.error;
} else {
  try {
    runCases();
  } catch (e) {
    // e.g. a --cases shape the layout cannot take (cols a multiple of 32, or of 256 for q4/q6)
    result.error = `kernel bench: ${e.message ?? e}`;
  }
}
window.__benchResult = result;

function runCases() {
  for (const [layout, rows, cols, tokens] of CASES) {
    const a = new simd128.mod.KernelBench(layout, rows, cols, tokens);
    const b = new relaxed.mod.KernelBench(layout, rows, cols, tokens);
    const reps = Math.max(1, Math.round(2e7 / a.work())); // ~2 ms of work per timed run
    a.run(reps); b.run(reps); // compile and warm
    const best = [Infinity, Infinity];
    for (let i = 0; i < RUNS; i++) {
      for (const [k, kb] of [[0, a], [1, b]]) {
        const t = performance.now();
        kb.run(reps);
        best[k] = Math.min(best[k], (performance.now() - t) / reps);
      }
    }
    const gmacs = (ms) => Number((a.work() / ms / 1e6).toFixed(2));
    const row = { layout: LAYOUTS[layout], rows, cols, tokens, simd128: gmacs(best[0]), relaxed: gmacs(best[1]), ratio: Number((best[0] / best[1]).toFixed(2)) };
    result.rows.push(row);
    log(`${row.layout} ${rows}×${cols}, ${tokens} token(s): SIMD128 ${row.simd128} GMAC/s, relaxed ${row.relaxed} GMAC/s (${row.ratio}×)`);
    a.free(); b.free();
  }
}
