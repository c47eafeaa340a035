// V8 moves a WebAssembly function to its optimising compiler (TurboFan) once it has run about
// 1.8 MB of code (--wasm-tiering-budget). Opening PGlite crosses that for many of its functions, and
// their compiles, on background threads, cost more CPU than a short command gains from them; Node
// also waits for the compiles queued when the command ends. With a budget 55× larger, an existing
// store's open + `select 1` took about a third less CPU (docs/benchmarks.md, "CLI start — fourth
// round"); long work (a scan, an import, `serve`, a count over millions of rows) still reaches it
// and tiers its hot functions up.

/** The CLI's budget; V8's default is 1 800 000. */
export const WASM_TIERING_BUDGET = 100_000_000;

/** The V8 flag that sets it. */
export const WASM_TIERING_FLAG = `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`;
