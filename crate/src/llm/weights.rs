//! Model weights, repacked from GGUF tensors into the kernel layouts (`kernels::Matrix`): Q5_0,
//! Q4_K and Q6_K packed or expanded (`WeightLayout`), the other formats expanded to i8. The tensors come from a
//! `TensorSource`: a whole GGUF in memory, or a stream that repacked each tensor as it arrived
//! (`stream_load`).

use super::config::Qwen2Config;
use crate::gguf::{GgmlType, Gguf, TensorInfo};
use crate::kernels::{quant::RELAXED, Matrix, Q4Matrix, Q4Quads, Q5Matrix, Q5Quads, Q6Matrix, Q6Quads, Q8Matrix};
use crate::{Error, Result};
use half::f16;

/// How Q5_0, Q4_K and Q6_K matrices are held. Packed: 24–26.5 bytes per 32 weights, unpacked
/// in registers (less memory; in wasm slower, since SIMD128 spends ~13 instructions per block
/// on the unpack, ~20 for Q6_K). Expanded: one i8 per weight (36–40 bytes per 32), the
/// fastest kernels. Q8_0 is always expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightLayout {
    #[default]
    Packed,
    Expanded,
}

impl WeightLayout {
    pub fn name(self) -> &'static str {
        match self {
            WeightLayout::Packed => "packed",
            WeightLayout::Expanded => "expanded",
        }
    }
}

/// A tensor in its runtime form.
pub enum Tensor {
    Matrix(Matrix),
    Floats(Vec<f32>),
}

/// Where `ModelWeights::load` gets its tensors.
pub trait TensorSource {
    /// The tensor's GGUF entry (name, dims, type), for the shape checks.
    fn info(&self, name: &str) -> Option<&TensorInfo>;
    /// The tensor in runtime form; each is taken once.
    fn take(&mut self, name: &str) -> Result<Tensor>;
}

/// A GGUF held whole in memory: tensors are repacked (packed layout) when taken.
impl TensorSource for &Gguf<'_> {
    fn info(&self, name: &str) -> Option<&TensorInfo> {
        self.tensor(name)
    }
    fn take(&mut self, name: &str) -> Result<Tensor> {
        let t = find(self, name)?;
        repack(t, self.data(t), WeightLayout::Packed)
    }
}

/// A tensor's bytes in runtime form: 1-D float tensors as f32, 2-D weight matrices
/// (`rows` = dims[1] outputs × `cols` = dims[0] inputs) in their kernel layout.
pub fn repack(t: &TensorInfo, data: &[u8], layout: WeightLayout) -> Result<Tensor> {
    let name = &t.name;
    match *t.dims.as_slice() {
        [_] => match t.ty {
            GgmlType::F32 | GgmlType::F16 => Ok(Tensor::Floats(floats(t, data))),
            other => Err(Error::Unsupported(format!("tensor {name}: vector type {other:?} is not supported"))),
        },
        [cols, rows] => {
            let (rows, cols) = (rows as usize, cols as usize);
            let m = match t.ty {
                // Relaxed SIMD reads packed Q5_0 four rows at a time (`Q5Quads`), at the same size.
                GgmlType::Q5_0 if layout == WeightLayout::Packed && RELAXED => Matrix::Q5Quads(Q5Quads::from_gguf(data, rows, cols)?),
                GgmlType::Q5_0 if layout == WeightLayout::Packed => Matrix::Q5(Q5Matrix::from_gguf(data, rows, cols)?),
                GgmlType::Q5_0 => Matrix::Expanded(Q8Matrix::from_q5_0(data, rows, cols)?),
                GgmlType::Q8_0 => Matrix::Expanded(Q8Matrix::from_q8_0(data, rows, cols)?),
                // Q4_K and Q6_K tensors are small (the FFN-down matrices): converted after the one-row repack.
                GgmlType::Q4K if layout == WeightLayout::Packed && RELAXED => Matrix::Q4Quads(Q4Quads::from_q4(&Q4Matrix::from_gguf(data, rows, cols)?)),
                GgmlType::Q4K if layout == WeightLayout::Packed => Matrix::Q4(Q4Matrix::from_gguf(data, rows, cols)?),
                GgmlType::Q4K => Matrix::Expanded(Q8Matrix::from_q4_k(data, rows, cols)?),
                GgmlType::Q6K if layout == WeightLayout::Packed && RELAXED => Matrix::Q6Quads(Q6Quads::from_q6(&Q6Matrix::from_gguf(data, rows, cols)?)),
                GgmlType::Q6K if layout == WeightLayout::Packed => Matrix::Q6(Q6Matrix::from_gguf(data, rows, cols)?),
                GgmlType::Q6K => Matrix::Expanded(Q8Matrix::from_q6_k(data, rows, cols)?),
                // Unquantized matrices (synthetic test models) are quantized to Q8 blocks.
                GgmlType::F32 | GgmlType::F16 => {
                    if cols % crate::kernels::BLOCK != 0 {
                        return Err(Error::ModelLoad(format!("tensor {name}: row length {cols} is not a multiple of 32")));
                    }
                    Matrix::Expanded(Q8Matrix::from_f32(&floats(t, data), rows, cols))
                }
                other => return Err(Error::Unsupported(format!("tensor {name}: weight type {other:?} is not supported yet"))),
            };
            Ok(Tensor::Matrix(m))
        }
        _ => Err(Error::Unsupported(format!("tensor {name}: {} dimensions are not supported", t.dims.len()))),
    }
}

pub struct LayerWeights {
    pub attn_norm: Vec<f32>,
    pub wq: Matrix,
    pub bq: Vec<f32>,
    pub wk: Matrix,
    pub bk: Vec<f32>,
    pub wv: Matrix,
    pub bv: Vec<f32>,
    pub wo: Matrix,
    pub ffn_norm: Vec<f32>,
    pub gate: Matrix,
    pub up: Matrix,
    pub down: Matrix,
}

pub struct ModelWeights {
    pub embed: Matrix,
    pub layers: Vec<LayerWeights>,
    pub out_norm: Vec<f32>,
    /// `None`: the output head is tied to the embedding (our repacked GGUF drops the copy).
    pub output: Option<Matrix>,
}

impl ModelWeights {
    pub fn load(g: &mut impl TensorSource, c: &Qwen2Config, mut progress: impl FnMut(usize, usize)) -> Result<Self> {
        let (d, kv, ffn) = (c.d_model, c.kv_dim(), c.d_ffn);
        let embed = matrix(g, "token_embd.weight", c.vocab, d)?;
        // A corrupt block count fails at its first missing tensor; reserve for a sane count only.
        let mut layers = Vec::with_capacity(c.n_layer.min(64));
        for i in 0..c.n_layer {
            progress(i, c.n_layer);
            let name = |s: &str| format!("blk.{i}.{s}");
            layers.push(LayerWeights {
                attn_norm: vector(g, &name("attn_norm.weight"), d)?,
                wq: matrix(g, &name("attn_q.weight"), d, d)?,
                bq: vector(g, &name("attn_q.bias"), d)?,
                wk: matrix(g, &name("attn_k.weight"), kv, d)?,
                bk: vector(g, &name("attn_k.bias"), kv)?,
                wv: matrix(g, &name("attn_v.weight"), kv, d)?,
                bv: vector(g, &name("attn_v.bias"), kv)?,
                wo: matrix(g, &name("attn_output.weight"), d, d)?,
                ffn_norm: vector(g, &name("ffn_norm.weight"), d)?,
                gate: matrix(g, &name("ffn_gate.weight"), ffn, d)?,
                up: matrix(g, &name("ffn_up.weight"), ffn, d)?,
                down: matrix(g, &name("ffn_down.weight"), d, ffn)?,
            });
        }
        progress(c.n_layer, c.n_layer);
        let output = match g.info("output.weight") {
            Some(_) => Some(matrix(g, "output.weight", c.vocab, d)?),
            None => None,
        };
        Ok(Self { embed, layers, out_norm: vector(g, "output_norm.weight", d)?, output })
    }

    pub fn output(&self) -> &Matrix {
        self.output.as_ref().unwrap_or(&self.embed)
    }
}

fn find<'g>(g: &'g Gguf, name: &str) -> Result<&'g TensorInfo> {
    g.tensor(name).ok_or_else(|| Error::ModelLoad(format!("GGUF has no tensor {name}")))
}

fn check_dims(t: &TensorInfo, want: &[usize]) -> Result<()> {
    let dims: Vec<usize> = t.dims.iter().map(|&v| v as usize).collect();
    if dims != want {
        return Err(Error::ModelLoad(format!("tensor {} has shape {dims:?}, expected {want:?}", t.name)));
    }
    Ok(())
}

/// A weight matrix of `rows` outputs × `cols` inputs (GGUF dims `[cols, rows]`).
fn matrix(g: &mut impl TensorSource, name: &str, rows: usize, cols: usize) -> Result<Matrix> {
    let t = g.info(name).ok_or_else(|| Error::ModelLoad(format!("GGUF has no tensor {name}")))?;
    check_dims(t, &[cols, rows])?;
    match g.take(name)? {
        Tensor::Matrix(m) => Ok(m),
        Tensor::Floats(_) => Err(Error::ModelLoad(format!("tensor {name} is not a matrix"))),
    }
}

fn vector(g: &mut impl TensorSource, name: &str, len: usize) -> Result<Vec<f32>> {
    let t = g.info(name).ok_or_else(|| Error::ModelLoad(format!("GGUF has no tensor {name}")))?;
    check_dims(t, &[len])?;
    match g.take(name)? {
        Tensor::Floats(v) => Ok(v),
        Tensor::Matrix(_) => Err(Error::ModelLoad(format!("tensor {name} is not a vector"))),
    }
}

fn floats(t: &TensorInfo, data: &[u8]) -> Vec<f32> {
    match t.ty {
        GgmlType::F16 => data.chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        _ => data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect(),
    }
}
