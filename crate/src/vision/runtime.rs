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
    /// `input_shape`: a fixed input shape, or `None` to keep the ONNX file's own (possibly
    /// symbolic) input dimensions, which tract resolves at each run.
    pub fn load(onnx: &[u8], model_name: &'static str, input_shape: Option<&[usize]>) -> Result<Self> {
        let load_error = |e: TractError| Error::ModelLoad(format!("{model_name} ONNX: {e:#}"));
        let mut model = tract_onnx::onnx().model_for_read(&mut &onnx[..]).map_err(load_error)?;
        if let Some(shape) = input_shape {
            model = model.with_input_fact(0, f32::fact(shape).into()).map_err(load_error)?;
        }
        let plan = model
            .into_optimized()
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
