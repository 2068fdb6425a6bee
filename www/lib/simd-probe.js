// The relaxed-SIMD feature probe, in one place for the library's worker (which imports this file
// for its effect) and the demo's service worker (a classic script, which `importScripts` it):
// both decide by it which wasm builds this browser runs.
//
// A module of one function using `i32x4.relaxed_dot_i8x16_i7x16_add_s` (opcode 0xfd 0x113): a
// browser that validates it has relaxed SIMD. Type () → v128; body: three v128.const 0, the dot.
self.QINGYU_RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () → v128
  0x03, 0x02, 0x01, 0x00, // functions: one of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code: one body of 59 bytes, no locals
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array(16).fill(0)]), // v128.const 0 (×3)
  0xfd, 0x93, 0x02, 0x0b, // i32x4.relaxed_dot_i8x16_i7x16_add_s, end
]);
