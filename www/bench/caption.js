// Caption bench page: the same photos and signs through
//   engine=qingyu  our wasm `Captioner`, caption() in en and zh: the module the library runs photos
//                  on (/pkg/full-relaxed/qingyu.js where relaxed SIMD passes the kernel check, else
//                  /pkg/qingyu.js; simd=simd128 forces the latter)
//   engine=ort     onnxruntime-web (wasm backend, 1 thread, SIMD) on the same ONNX graphs, with
//                  the preprocessing and post-processing of models/dist/*.reference.json in JS
// Results land in `window.__benchResult`; progress goes to the console as `[bench] …` lines,
// which scripts/bench-caption.mjs relays. The image list comes from /eval/list.json (served by
// the driver: photos from eval/photos/.cache, signs from eval/signs/.cache).
//
// Query: engine=qingyu|ort  runs=3 (timed runs per image, median reported)  warmup=1
//        only=NAME,NAME (a subset of files, for debugging)  simd=auto|simd128 (engine=qingyu)

const q = new URLSearchParams(location.search);
const ENGINE = q.get('engine') || 'ort';
const RUNS = Math.max(1, Number(q.get('runs') || 3));
const WARMUP = Math.max(0, Number(q.get('warmup') ?? 1));
const ONLY = q.get('only') ? new Set(q.get('only').split(',')) : null;
const SIMD = q.get('simd') || 'auto';
const ORT_DIR = '/vendor/onnxruntime-web/';
const M = '/models/';
const DET_MAX_SIDE = 640; // OCR detector input, longer side (see ocr())
const REC_MIN_WIDTH = 160; // OCR recognizer input, minimum width (see ocr())

const logEl = document.getElementById('log');
const log = (msg) => {
  console.log(`[bench] ${msg}`);
  if (logEl) logEl.textContent += `${msg}\n`;
};
const now = () => performance.now();
const tick = () => new Promise((r) => setTimeout(r, 0));
const round = (x, d = 2) => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}
const fetchJson = async (url) => JSON.parse(new TextDecoder().decode(await fetchBytes(url)));

async function sha256Hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// =============================================================================================
// image decoding and resizing (what the converters did with PIL / the OpenCV-like resize)
// =============================================================================================

/** Encoded bytes → {w, h, rgb: Uint8Array HWC}. No colour management, so pixels match PIL's. */
async function decodeRgb(bytes) {
  const bmp = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const { width: w, height: h } = bmp;
  const ctx = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2];
  }
  return { w, h, rgb };
}

/**
 * Pillow's Image.resize(BILINEAR) coefficients for one axis (Resample.c precompute_coeffs +
 * normalize_coeffs_8bpc): a triangle filter widened by the downscale factor, 22-bit fixed point.
 */
function pillowCoeffs(inSize, outSize) {
  const scale = inSize / outSize;
  const fs = Math.max(scale, 1);
  const support = fs;
  const taps = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = [];
    let sum = 0;
    for (let i = xmin; i < xmax; i++) {
      const v = Math.max(0, 1 - Math.abs((i - center + 0.5) / fs));
      w.push(v);
      sum += v;
    }
    taps.push({ xmin, k: w.map((v) => Math.trunc(0.5 + (sum ? v / sum : 0) * 4194304)) });
  }
  return taps;
}

/** PIL Image.resize((ow, oh), BILINEAR) on 8-bit RGB: rows first (to uint8), then columns. */
function resizePillow({ w, h, rgb }, ow, oh) {
  let src = rgb;
  let sw = w;
  if (ow !== w) {
    const c = pillowCoeffs(w, ow);
    const out = new Uint8Array(ow * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < ow; x++) {
        const { xmin, k } = c[x];
        for (let ch = 0; ch < 3; ch++) {
          let acc = 2097152;
          for (let t = 0; t < k.length; t++) acc += src[(y * w + xmin + t) * 3 + ch] * k[t];
          const v = acc >> 22;
          out[(y * ow + x) * 3 + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
    src = out;
    sw = ow;
  }
  if (oh !== h) {
    const c = pillowCoeffs(h, oh);
    const out = new Uint8Array(sw * oh * 3);
    for (let y = 0; y < oh; y++) {
      const { xmin, k } = c[y];
      for (let x = 0; x < sw; x++) {
        for (let ch = 0; ch < 3; ch++) {
          let acc = 2097152;
          for (let t = 0; t < k.length; t++) acc += src[((xmin + t) * sw + x) * 3 + ch] * k[t];
          const v = acc >> 22;
          out[(y * sw + x) * 3 + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
    src = out;
  }
  return { w: ow, h: oh, rgb: src };
}

/** models/convert/ppocr.py resize_bilinear: half-pixel centres, edge clamp, no antialias, rint. */
function resizeLinear({ w, h, rgb }, ow, oh) {
  const axis = (nOut, nIn) => {
    const i0 = new Int32Array(nOut); const i1 = new Int32Array(nOut); const f = new Float32Array(nOut);
    for (let o = 0; o < nOut; o++) {
      const p = Math.min(Math.max((o + 0.5) * (nIn / nOut) - 0.5, 0), nIn - 1);
      i0[o] = Math.floor(p); i1[o] = Math.min(i0[o] + 1, nIn - 1); f[o] = p - i0[o];
    }
    return { i0, i1, f };
  };
  const ay = axis(oh, h); const ax = axis(ow, w);
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    const r0 = ay.i0[y] * w; const r1 = ay.i1[y] * w; const fy = ay.f[y];
    for (let x = 0; x < ow; x++) {
      const c0 = ax.i0[x]; const c1 = ax.i1[x]; const fx = ax.f[x];
      for (let ch = 0; ch < 3; ch++) {
        const a = rgb[(r0 + c0) * 3 + ch] * (1 - fy) + rgb[(r1 + c0) * 3 + ch] * fy;
        const b = rgb[(r0 + c1) * 3 + ch] * (1 - fy) + rgb[(r1 + c1) * 3 + ch] * fy;
        const v = Math.round(a * (1 - fx) + b * fx); // ties are rare; numpy rints half to even
        out[(y * ow + x) * 3 + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { w: ow, h: oh, rgb: out };
}

function crop({ w, rgb }, x0, y0, x1, y1) {
  const cw = x1 - x0; const chh = y1 - y0;
  const out = new Uint8Array(cw * chh * 3);
  for (let y = 0; y < chh; y++) out.set(rgb.subarray(((y0 + y) * w + x0) * 3, ((y0 + y) * w + x1) * 3), y * cw * 3);
  return { w: cw, h: chh, rgb: out };
}

function rotate180({ w, h, rgb }) {
  const out = new Uint8Array(rgb.length);
  const n = w * h;
  for (let i = 0; i < n; i++) out.set(rgb.subarray(i * 3, i * 3 + 3), (n - 1 - i) * 3);
  return { w, h, rgb: out };
}

/** uint8 RGB HWC → float32 NCHW in BGR order, (x/255 - 0.5)/0.5, zero-padded on the right to padW. */
function bgrChw({ w, h, rgb }, padW = w) {
  const out = new Float32Array(3 * h * padW);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) out[(c * h + y) * padW + x] = (rgb[s + 2 - c] / 255 - 0.5) / 0.5;
    }
  }
  return out;
}

// =============================================================================================
// onnxruntime-web: the same graphs, with the reference pre/post-processing
// =============================================================================================

function softmax(a) {
  let m = -Infinity;
  for (const v of a) m = Math.max(m, v);
  const e = Array.from(a, (v) => Math.exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

class OrtPipeline {
  static async create() {
    const ort = await import(`${ORT_DIR}ort.wasm.min.mjs`);
    ort.env.wasm.numThreads = 1; // single thread: no worker pool (the page is not cross-origin isolated anyway)
    ort.env.wasm.simd = true; // only SIMD builds ship since 1.19; kept for older versions
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = ORT_DIR;
    const p = new OrtPipeline();
    p.ort = ort;
    p.version = ort.env.versions?.web ?? ort.env.versions?.common ?? null;
    const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
    const t0 = now();
    const [cls, det, ocrDet, ocrRec, ocrCls, imagenet, coco, keys] = await Promise.all([
      fetchBytes(`${M}efficientnet-lite0.onnx`), fetchBytes(`${M}detector.onnx`), fetchBytes(`${M}ppocrv4-det.onnx`),
      fetchBytes(`${M}ppocrv4-rec.onnx`), fetchBytes(`${M}ppocr-cls.onnx`), fetchJson(`${M}imagenet-labels.json`),
      fetchJson(`${M}coco-labels.json`), fetchBytes(`${M}ppocr-keys.txt`)]);
    p.fetchMs = now() - t0;
    const t1 = now();
    p.sCls = await ort.InferenceSession.create(cls, opts);
    p.sDet = await ort.InferenceSession.create(det, opts);
    p.sOcrDet = await ort.InferenceSession.create(ocrDet, opts);
    p.sOcrRec = await ort.InferenceSession.create(ocrRec, opts);
    p.sOcrCls = await ort.InferenceSession.create(ocrCls, opts);
    p.loadMs = now() - t1;
    p.imagenet = imagenet.map((n) => n.split(', ')[0]);
    p.coco = coco;
    p.keys = new TextDecoder().decode(keys).split('\n'); // class i → keys[i-1]; no trimming (space is a key)
    p.ocrCfg = (await fetchJson(`${M}ppocr.reference.json`));
    return p;
  }

  async run(session, name, data, dims) {
    const t0 = now();
    const out = await session.run({ [session.inputNames[0]]: new this.ort.Tensor('float32', data, dims) });
    this.runMs += now() - t0;
    return out;
  }

  // ---- classifier: EfficientNet-Lite0, 224x224, (x-127.5)/127.5, NCHW RGB ----
  async classify(img) {
    const r = resizePillow(img, 224, 224);
    const n = 224 * 224;
    const x = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) x[c * n + i] = (r.rgb[i * 3 + c] - 127.5) / 127.5;
    const out = await this.run(this.sCls, 'cls', x, [1, 3, 224, 224]);
    const probs = softmax(out[this.sCls.outputNames[0]].data);
    const top = probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, 5);
    return { labels: top.map(([p, i]) => ({ name: this.imagenet[i], score: round(p, 4) })), resized: r.rgb };
  }

  // ---- detector: CenterNet, letterbox top-left into 512x512, 0..255 NHWC ----
  async detect(img) {
    const L = Math.max(img.w, img.h);
    const nw = Math.floor((2 * img.w * 512 + L) / (2 * L));
    const nh = Math.floor((2 * img.h * 512 + L) / (2 * L));
    const r = resizePillow(img, nw, nh);
    const canvas = new Uint8Array(512 * 512 * 3);
    for (let y = 0; y < nh; y++) canvas.set(r.rgb.subarray(y * nw * 3, (y + 1) * nw * 3), y * 512 * 3);
    const x = Float32Array.from(canvas);
    const out = await this.run(this.sDet, 'det', x, [1, 512, 512, 3]);
    const heat = out.keypoints.data; const wh = out.wh.data;
    const G = 128; const C = 80;
    const cand = [];
    for (let y = 0; y < G; y++) {
      for (let xx = 0; xx < G; xx++) {
        for (let c = 0; c < C; c++) {
          const v = heat[(y * G + xx) * C + c];
          if (v < 0.2) continue; // below min_score: can never be kept
          let peak = true;
          for (let dy = -1; dy <= 1 && peak; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy; const x2 = xx + dx;
              if (yy >= 0 && yy < G && x2 >= 0 && x2 < G && heat[(yy * G + x2) * C + c] > v) { peak = false; break; }
            }
          }
          if (peak) cand.push({ i: (y * G + xx) * C + c, v, y, x: xx, c });
        }
      }
    }
    cand.sort((a, b) => b.v - a.v || a.i - b.i);
    const boxes = cand.slice(0, 100).map(({ v, y, x: cx, c }) => {
      const k = (y * G + cx) * 4;
      return { c, score: v, box: [4 * cx - wh[k], 4 * y - wh[k + 1], 4 * cx + wh[k + 2], 4 * y + wh[k + 3]] };
    });
    const kept = [];
    for (const b of boxes) {
      if (kept.length >= 10) break;
      if (kept.every((k) => iou(k.box, b.box) <= 0.4)) kept.push(b);
    }
    const sx = img.w / nw; const sy = img.h / nh;
    const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
    return {
      objects: kept.map((b) => ({ name: this.coco[b.c], score: round(b.score, 4),
        box: [clamp(b.box[0] * sx, img.w), clamp(b.box[1] * sy, img.h), clamp(b.box[2] * sx, img.w), clamp(b.box[3] * sy, img.h)].map((v) => round(v, 1)) })),
      canvas,
    };
  }

  // ---- OCR: PP-OCRv4 det (simplified DB boxes, axis-aligned) → cls → rec (CTC greedy) ----
  async ocr(full) {
    // rapidocr's global rule: a side over max_side_len (2000) shrinks the image first (sides to
    // multiples of 32); boxes are mapped back to the original pixels at the end.
    const maxSide = this.ocrCfg.global.max_side_len;
    let img = full;
    if (Math.max(full.w, full.h) > maxSide) {
      const s = maxSide / Math.max(full.w, full.h);
      img = resizeLinear(full, round32(Math.trunc(full.w * s)), round32(Math.trunc(full.h * s)));
    }
    const back = (b) => [b[0] * full.w / img.w, b[1] * full.h / img.h, b[2] * full.w / img.w, b[3] * full.h / img.h].map(Math.round);
    const cfg = this.ocrCfg.det;
    // Detector input: the longer side scaled down to 640, never up — the rule
    // our engine uses (crate/src/vision/ocr/mod.rs, DET_MAX_SIDE), so both run the same sizes.
    const ratio = Math.max(img.h, img.w) > DET_MAX_SIDE ? DET_MAX_SIDE / Math.max(img.h, img.w) : 1;
    const dh = round32(Math.trunc(img.h * ratio)); const dw = round32(Math.trunc(img.w * ratio));
    const x = bgrChw(resizeLinear(img, dw, dh));
    const out = await this.run(this.sOcrDet, 'ocr-det', x, [1, 3, dh, dw]);
    const prob = out[this.sOcrDet.outputNames[0]].data;
    const boxes = detBoxes(prob, dw, dh, img.w, img.h, cfg);
    const lines = [];
    for (const b of boxes) {
      const [x0, y0, x1, y1] = b.box;
      if (x1 - x0 <= 3 || y1 - y0 <= 3) continue;
      let c = crop(img, x0, y0, x1, y1);
      // cls: 48x192, upside-down crops are turned before rec
      const cw = Math.min(Math.ceil(48 * c.w / c.h), 192);
      const co = await this.run(this.sOcrCls, 'ocr-cls', bgrChw(resizeLinear(c, cw, 48), 192), [1, 3, 48, 192]);
      const cp = co[this.sOcrCls.outputNames[0]].data;
      if (cp[1] > cp[0] && cp[1] > 0.9) c = rotate180(c);
      // rec: height 48, width W = int(48 * max(REC_MIN_WIDTH/48, w/h)), one crop per run (the
      // minimum width is ours, crate/src/vision/ocr/mod.rs REC_MIN_WIDTH; rapidocr's is 320)
      const W = Math.trunc(48 * Math.max(REC_MIN_WIDTH / 48, c.w / c.h));
      const rw = Math.min(Math.ceil(48 * c.w / c.h), W);
      const ro = await this.run(this.sOcrRec, 'ocr-rec', bgrChw(resizeLinear(c, rw, 48), W), [1, 3, 48, W]);
      const t = ro[this.sOcrRec.outputNames[0]];
      const [text, score] = ctcGreedy(t.data, t.dims[1], t.dims[2], this.keys);
      if (score >= this.ocrCfg.global.text_score && text) lines.push({ text, score: round(score, 4), box: back(b.box) });
    }
    return lines;
  }

  /** One image through every stage; per-stage wall times in ms (pre/post-processing included). */
  async caption(bytes) {
    this.runMs = 0;
    const t0 = now();
    const img = await decodeRgb(bytes);
    const t1 = now();
    const { labels, resized } = await this.classify(img);
    const t2 = now();
    const { objects, canvas } = await this.detect(img);
    const t3 = now();
    const ocr = await this.ocr(img);
    const t4 = now();
    return {
      labels, objects, ocr, resized, canvas,
      timing: { decodeMs: t1 - t0, classifyMs: t2 - t1, detectMs: t3 - t2, ocrMs: t4 - t3, composeMs: 0,
        totalMs: t4 - t0, sessionRunMs: this.runMs },
    };
  }
}

/** A multiple of 32 with Python's round(): ties go to the even multiple (34.5 → 34). */
function round32(v) {
  const q = v / 32; const f = Math.floor(q); const d = q - f;
  return 32 * (d > 0.5 || (d === 0.5 && f % 2) ? f + 1 : f);
}

function iou(a, b) {
  const area = (r) => Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
  const aa = area(a); const ab = area(b);
  if (aa <= 0 || ab <= 0) return 0;
  const inter = area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
  return inter / (aa + ab - inter);
}

/** models/convert/ppocr.py det_boxes: threshold, 2x2 dilation, 8-connected components → boxes. */
function detBoxes(prob, mw, mh, srcW, srcH, cfg) {
  const n = mw * mh;
  const raw = new Uint8Array(n);
  for (let i = 0; i < n; i++) raw[i] = prob[i] > cfg.thresh ? 1 : 0;
  const mask = new Uint8Array(n);
  for (let y = 0; y < mh; y++) {
    for (let x = 0; x < mw; x++) {
      const i = y * mw + x;
      mask[i] = raw[i] || (y > 0 && raw[i - mw]) || (x > 0 && raw[i - 1]) || (x > 0 && y > 0 && raw[i - mw - 1]) ? 1 : 0;
    }
  }
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const boxes = [];
  for (let s = 0; s < n; s++) {
    if (!mask[s] || seen[s]) continue;
    seen[s] = 1;
    let sp = 0;
    stack[sp++] = s;
    let x0 = s % mw; let x1 = x0; let y0 = (s / mw) | 0; let y1 = y0;
    while (sp) {
      const i = stack[--sp];
      const y = (i / mw) | 0; const x = i - y * mw;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= mh) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= mw) continue;
          const j = ny * mw + nx;
          if (mask[j] && !seen[j]) { seen[j] = 1; stack[sp++] = j; }
        }
      }
    }
    if (boxes.length >= cfg.max_candidates) break;
    const w = x1 - x0 + 1; const h = y1 - y0 + 1;
    if (Math.min(w, h) < cfg.min_size) continue;
    let sum = 0;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) sum += prob[y * mw + x];
    const score = sum / (w * h);
    if (score < cfg.box_thresh) continue;
    const d = (w * h) * cfg.unclip_ratio / (2 * (w + h));
    const e = [x0 - d, y0 - d, x1 + 1 + d, y1 + 1 + d];
    if (Math.min(e[2] - e[0], e[3] - e[1]) < cfg.min_size + 2) continue;
    const sx = srcW / mw; const sy = srcH / mh;
    const cl = (v, hi) => Math.min(Math.max(Math.round(v), 0), hi);
    boxes.push({ box: [cl(e[0] * sx, srcW), cl(e[1] * sy, srcH), cl(e[2] * sx, srcW), cl(e[3] * sy, srcH)], score });
  }
  boxes.sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0]);
  // a line reads left to right: swap neighbours whose tops differ by < 10 px
  for (let i = 0; i + 1 < boxes.length; i++) {
    if (Math.abs(boxes[i + 1].box[1] - boxes[i].box[1]) < 10 && boxes[i + 1].box[0] < boxes[i].box[0]) {
      [boxes[i], boxes[i + 1]] = [boxes[i + 1], boxes[i]];
    }
  }
  return boxes;
}

function ctcGreedy(data, T, C, keys) {
  let text = ''; let conf = 0; let kept = 0; let prev = -1;
  for (let t = 0; t < T; t++) {
    let best = 0; let bp = -1;
    for (let c = 0; c < C; c++) { const v = data[t * C + c]; if (v > bp) { bp = v; best = c; } }
    if (best !== 0 && best !== prev) { text += keys[best - 1] ?? ''; conf += bp; kept++; }
    prev = best;
  }
  return [text, kept ? conf / kept : 0];
}

/** Top-1 label and the objects as a plain "caption" for ORT-web (it has no caption composer). */
function ortText(r) {
  const objs = [...new Set(r.objects.map((o) => o.name))];
  const parts = [r.labels[0] ? `${r.labels[0].name} (${r.labels[0].score.toFixed(2)})` : ''];
  if (objs.length) parts.push(objs.join(', '));
  if (r.ocr.length) parts.push(`"${r.ocr.map((l) => l.text).join(' ')}"`);
  return parts.filter(Boolean).join('; ');
}

async function benchOrt(list) {
  const res = { engine: 'ort-web' };
  let p;
  try {
    p = await OrtPipeline.create();
  } catch (e) {
    return { ...res, error: `onnxruntime-web: cannot load ${ORT_DIR}ort.wasm.min.mjs or a model: ${e.message || e}` };
  }
  Object.assign(res, { version: p.version, fetch_ms: round(p.fetchMs), load_ms: round(p.loadMs),
    settings: { numThreads: p.ort.env.wasm.numThreads, simd: 'always (only SIMD wasm builds ship)', proxy: false,
      crossOriginIsolated: self.crossOriginIsolated } });
  log(`ort-web ${p.version}: 5 sessions created in ${res.load_ms} ms`);
  // Preprocessing parity: our JS resize/letterbox against the converters' sha256 of the same bytes.
  const clsRef = await fetchJson(`${M}efficientnet-lite0.reference.json`);
  const detRef = await fetchJson(`${M}detector.reference.json`);
  res.parity = [];
  res.items = [];
  for (const item of list) {
    const bytes = await fetchBytes(item.url);
    let r;
    const times = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      r = await p.caption(bytes);
      if (i >= WARMUP) times.push(r.timing);
      await tick();
    }
    const refC = clsRef.photos.find((x) => x.file === item.file);
    const refD = detRef.photos.find((x) => x.file === item.file);
    if (refC) res.parity.push({ file: item.file, what: 'classifier 224x224 RGB', ok: (await sha256Hex(r.resized)) === refC.resized_rgb_sha256 });
    if (refD) res.parity.push({ file: item.file, what: 'detector 512x512 canvas', ok: (await sha256Hex(r.canvas)) === refD.canvas_rgb_sha256 });
    const med = Object.fromEntries(Object.keys(times[0]).map((k) => [k, round(median(times.map((t) => t[k])))]));
    res.items.push({ file: item.file, kind: item.kind, text: ortText(r), labels: r.labels, objects: r.objects, ocr: r.ocr,
      timing: med });
    log(`ort-web ${item.file}: ${med.totalMs} ms (cls ${med.classifyMs}, det ${med.detectMs}, ocr ${med.ocrMs}) — ${ortText(r).slice(0, 90)}`);
  }
  return res;
}

// =============================================================================================
// ours: the wasm Captioner
// =============================================================================================
/** The module the library's worker would run photos on (see www/lib/worker.js startFullModule). */
async function importQingyu() {
  if (SIMD !== 'simd128') {
    try {
      const mod = await import('/pkg/full-relaxed/qingyu.js');
      await mod.default();
      const path = mod.kernelSelfTest(20260, 12);
      if (path === 'wasm-relaxed-simd') return { mod, url: '/pkg/full-relaxed/qingyu.js', simd: 'relaxed' };
      log(`relaxed-SIMD module: its kernels are ${path}; SIMD128`);
    } catch (e) {
      log(`relaxed-SIMD module did not start (${String(e?.message ?? e).split('\n')[0]}); SIMD128`);
    }
  }
  const mod = await import('/pkg/qingyu.js');
  await mod.default();
  return { mod, url: '/pkg/qingyu.js', simd: 'simd128' };
}

async function benchQingyu(list) {
  const res = { engine: 'qingyu-wasm' };
  let mod;
  try {
    ({ mod, url: res.module, simd: res.simd } = await importQingyu());
  } catch (e) {
    return { ...res, error: `cannot import /pkg/qingyu.js: ${e.message}` };
  }
  if (typeof mod.Captioner !== 'function') {
    return { ...res, error: `Captioner is not exported by ${res.module} (the wasm build predates the caption API)` };
  }
  log(`qingyu-wasm: ${res.module} (${res.simd})`);
  try {
    res.build = mod.buildInfo();
  } catch { /* older builds */ }
  const t0 = now();
  const [cls, imagenet, det, coco, ocrDet, ocrRec, ocrCls, keys] = await Promise.all([
    `${M}efficientnet-lite0.onnx`, `${M}imagenet-labels.json`, `${M}detector.onnx`, `${M}coco-labels.json`,
    `${M}ppocrv4-det.onnx`, `${M}ppocrv4-rec.onnx`, `${M}ppocr-cls.onnx`, `${M}ppocr-keys.txt`].map(fetchBytes));
  res.fetch_ms = round(now() - t0);
  const t1 = now();
  const c = new mod.Captioner();
  try {
    c.loadClassifier(cls, imagenet);
    c.loadDetector(det, coco);
    c.loadOcr(ocrDet, ocrRec, ocrCls, keys);
    res.load_ms = round(now() - t1);
    log(`qingyu-wasm: models loaded in ${res.load_ms} ms`);
    const opts = (language) => ({ language });
    res.items = [];
    for (const item of list) {
      const bytes = await fetchBytes(item.url);
      let en;
      const times = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const t = now();
        en = c.caption(bytes, opts('en'));
        const wall = now() - t;
        if (i >= WARMUP) times.push({ ...en.timing, wallMs: wall });
        await tick();
      }
      const zh = c.caption(bytes, opts('zh'));
      const med = Object.fromEntries(Object.keys(times[0]).map((k) => [k, round(median(times.map((t) => t[k])))]));
      res.items.push({ file: item.file, kind: item.kind, text: en.text, text_zh: zh.text, alt: en.alt,
        labels: en.labels, objects: en.objects, ocr: en.ocr, timing: med });
      log(`qingyu-wasm ${item.file}: ${med.totalMs} ms — ${String(en.text).slice(0, 90)}`);
    }
  } finally {
    c.free?.();
  }
  return res;
}

async function main() {
  const all = await fetchJson('/eval/list.json');
  const list = [...all.photos.map((p) => ({ ...p, kind: 'photo' })), ...all.signs.map((s) => ({ ...s, kind: 'sign' }))]
    .filter((x) => !ONLY || ONLY.has(x.file));
  log(`${ENGINE}: ${list.length} images, ${WARMUP} warm-up + ${RUNS} timed runs each`);
  const fn = { ort: benchOrt, qingyu: benchQingyu }[ENGINE];
  if (!fn) throw new Error(`unknown engine ${ENGINE}`);
  let r;
  try {
    r = await fn(list);
  } catch (e) {
    r = { engine: ENGINE, error: String(e?.stack || e) };
  }
  return { url: location.href, user_agent: navigator.userAgent, runs: RUNS, warmup: WARMUP, result: r };
}

main().then(
  (r) => { window.__benchResult = r; log('done'); },
  (e) => { window.__benchResult = { error: String(e?.stack || e) }; log(`ERROR ${e?.stack || e}`); },
);
