//! One place that turns ONNX bytes into an optimized tract plan and runs it on f32 tensors,
//! so every model reports load and run failures the same way.

use crate::{Error, Result};
use std::sync::Arc;
use tract_onnx::prelude::*;

/// An optimized, runnable tract plan (built once per model, reused for every image).
pub(crate) struct Plan {
    plan: Arc<TypedRunnableModel>,
    model_name: &'static str,
}

/// One f32 output of a run, copied out of tract.
pub(crate) struct Output {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl Plan {
    /// `input_shape`: one expression per input dimension, a number or a symbolic size such as
    /// `"32*h"` (tract resolves symbols at each run). Saying that a size is a multiple of 32 lets
    /// tract prove that a network's upsampled feature maps line up, which it cannot for an
    /// arbitrary ONNX dynamic dimension.
    pub fn load(onnx: &[u8], model_name: &'static str, input_shape: &[&str]) -> Result<Self> {
        Self::build(tract_onnx::onnx(), onnx, model_name, input_shape)
    }

    /// Like [`Plan::load`], for graphs (paddle2onnx exports) that compute reshape targets as
    /// `Shape → Cast(int32) → Slice → Cast(int64)`: tract keeps symbolic sizes only in int64,
    /// so int32 casts are read as int64 casts. Only for models whose int32 casts all act on
    /// shapes (checked for the PP-OCR recognizer).
    pub fn load_widening_shape_casts(onnx: &[u8], model_name: &'static str, input_shape: &[&str]) -> Result<Self> {
        let mut framework = tract_onnx::onnx();
        framework.op_register.insert("Cast", cast_int32_as_int64);
        Self::build(framework, onnx, model_name, input_shape)
    }

    fn build(framework: tract_onnx::Onnx, onnx: &[u8], model_name: &'static str, input_shape: &[&str]) -> Result<Self> {
        let load_error = |e: TractError| Error::ModelLoad(format!("{model_name} ONNX: {e:#}"));
        let model = framework.model_for_read(&mut &onnx[..]).map_err(load_error)?;
        let dims = input_shape
            .iter()
            .map(|d| model.symbols.parse_tdim(d))
            .collect::<TractResult<Vec<TDim>>>()
            .map_err(load_error)?;
        // Sizes are positive; tract needs to know it to simplify e.g. (32·h + 31) / 32 to h.
        for symbol in model.symbols.all_symbols() {
            let name = symbol.to_string();
            if name.chars().all(|c| c.is_ascii_alphabetic()) {
                model.symbols.add_assertion(format!("{name}>=1")).map_err(load_error)?;
            }
        }
        let plan = model
            .with_input_fact(0, f32::fact(dims).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(load_error)?;
        Ok(Self { plan, model_name })
    }

    /// Runs the plan on one f32 tensor of `shape`; returns every output as f32.
    pub fn run(&self, shape: &[usize], data: Vec<f32>) -> Result<Vec<Output>> {
        let name = self.model_name;
        let input = Tensor::from_shape(shape, &data)
            .map_err(|e| Error::InvalidInput(format!("{name} input {shape:?}: {e:#}")))?;
        let outputs = self
            .plan
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| Error::ModelLoad(format!("{name} run failed on input {shape:?}: {e:#}")))?;
        outputs
            .iter()
            .map(|value| {
                let view = value
                    .try_as_plain_ram()
                    .map_err(|e| Error::ModelLoad(format!("{name} output: {e:#}")))?;
                let data = view
                    .as_slice::<f32>()
                    .map_err(|e| Error::ModelLoad(format!("{name} output is not f32: {e:#}")))?;
                Ok(Output { shape: value.shape().to_vec(), data: data.to_vec() })
            })
            .collect()
    }
}

/// ONNX `Cast` builder that turns `to = INT32` into `to = INT64`, then defers to tract's own.
fn cast_int32_as_int64(
    ctx: &tract_onnx::model::ParsingContext,
    node: &tract_onnx::pb::NodeProto,
) -> TractResult<(Box<dyn tract_onnx::tract_hir::infer::InferenceOp>, Vec<String>)> {
    const INT32: i64 = 6;
    const INT64: i64 = 7;
    let mut node = node.clone();
    for attribute in node.attribute.iter_mut() {
        if attribute.name == "to" && attribute.i == INT32 {
            attribute.i = INT64;
        }
    }
    let builder = tract_onnx::onnx().op_register.0.get("Cast").copied();
    let builder = builder.ok_or_else(|| TractError::msg("tract-onnx has no Cast operator"))?;
    builder(ctx, &node)
}
