#!/usr/bin/python3
"""Exports the project's test models with fixed seeds and no downloads.

  /usr/bin/python3 tests/models/export.py --out DIR [--only NAME ...]

Models (ONNX + inputs + torch's own outputs as .npy + a .json summary):
  bert_tiny_op13, bert_tiny_op17, bert_tiny_dyn  BertForMaskedLM in the
      architecture of prajjwal1/bert-tiny (vocab 30522, hidden 128, 2
      layers, 2 heads, intermediate 512, 512 positions, GELU(erf), LayerNorm
      eps 1e-12, decoder tied to the word embeddings), input_ids 2x128 int64;
      written here in plain torch (no transformers package).
  mobilenet_v2, resnet18, squeezenet1_1  torchvision, weights=None, 1x3x224x224.
  seg_tiny  Conv+BatchNorm+ReLU+ConvTranspose+Resize+Sigmoid on 1x3x64x64.

Random weights make CNN logits vanish unless BatchNorm statistics are real,
so the CNNs run a few random batches in training mode before eval()."""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, HIDDEN, LAYERS, HEADS, INTER, POSITIONS = 30522, 128, 2, 2, 512, 512


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.out = nn.Linear(HIDDEN, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, x):
        b, s, _ = x.shape
        d = HIDDEN // HEADS

        def split(t):
            return t.view(b, s, HEADS, d).permute(0, 2, 1, 3)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        probs = F.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, s, HIDDEN)
        return self.ln(self.out(ctx) + x)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = Attention()
        self.inter = nn.Linear(HIDDEN, INTER)
        self.outp = nn.Linear(INTER, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, x):
        a = self.attn(x)
        return self.ln(self.outp(F.gelu(self.inter(a))) + a)


class BertTinyMLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(VOCAB, HIDDEN)
        self.pos = nn.Embedding(POSITIONS, HIDDEN)
        self.token_type = nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.head = nn.Linear(HIDDEN, HIDDEN)
        self.head_ln = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.decoder_bias = nn.Parameter(torch.zeros(VOCAB))

    def forward(self, input_ids):
        s = input_ids.shape[1]
        pos = torch.arange(s, dtype=torch.long, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.pos(pos) + self.token_type(torch.zeros_like(input_ids))
        x = self.ln(x)
        for layer in self.layers:
            x = layer(x)
        h = self.head_ln(F.gelu(self.head(x)))
        return torch.matmul(h, self.word.weight.t()) + self.decoder_bias


def init_bert(m):
    """HF's initialisation, then small deterministic noise on biases and
    LayerNorm parameters so every parameter matters."""
    g = torch.Generator().manual_seed(1234)
    for name, p in m.named_parameters():
        with torch.no_grad():
            if p.dim() >= 2:
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)
            elif "ln" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.05 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))


def warm_batchnorm(m, shape, seed):
    """Real BatchNorm statistics: a few random batches in training mode."""
    g = torch.Generator().manual_seed(seed)
    m.train()
    with torch.no_grad():
        for _ in range(4):
            m(torch.randn((8,) + tuple(shape[1:]), generator=g))
    m.eval()


class SegTiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.b1 = nn.BatchNorm2d(16)
        self.c2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.b2 = nn.BatchNorm2d(32)
        self.up = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.c3 = nn.Conv2d(16, 4, 1)

    def forward(self, x):
        x = F.relu(self.b1(self.c1(x)))
        x = F.relu(self.b2(self.c2(x)))
        x = F.relu(self.up(x))
        x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
        return torch.sigmoid(self.c3(x))


def op_histogram(path):
    import onnx
    m = onnx.load(path)
    h = {}
    for n in m.graph.node:
        h[n.op_type] = h.get(n.op_type, 0) + 1
    return dict(sorted(h.items()))


def export(name, model, args, out_dir, opset, input_names, output_names, dynamic_axes=None):
    path = os.path.join(out_dir, name + ".onnx")
    model.eval()
    with torch.no_grad():
        outs = model(*args)
        torch.onnx.export(model, args, path, opset_version=opset, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True)
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    for i, a in enumerate(args):
        np.save(os.path.join(out_dir, "%s.input_%d.npy" % (name, i)), a.numpy())
    for i, o in enumerate(outs):
        np.save(os.path.join(out_dir, "%s.output_%d.npy" % (name, i)), o.numpy())
    o = outs[0].numpy()
    info = {
        "model": name + ".onnx", "opset": opset,
        "inputs": [{"name": n, "shape": list(a.shape), "dtype": str(a.numpy().dtype)} for n, a in zip(input_names, args)],
        "outputs": [{"name": n, "shape": list(t.shape), "dtype": str(t.numpy().dtype)} for n, t in zip(output_names, outs)],
        "ops": op_histogram(path),
        "output_max_abs": float(np.abs(o).max()), "output_std": float(o.std()),
    }
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
    print("%-16s opset %2d  out %s  max|out| %.3g  std %.3g  ops %s" %
          (name, opset, list(o.shape), info["output_max_abs"], info["output_std"], info["ops"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(1)  # deterministic and polite on a shared 2-core machine
    want = lambda n: not a.only or n in a.only

    ids = torch.from_numpy(np.random.default_rng(7).integers(0, VOCAB, size=(2, 128)).astype(np.int64))
    if any(want(n) for n in ("bert_tiny_op13", "bert_tiny_op17", "bert_tiny_dyn")):
        bert = BertTinyMLM()
        init_bert(bert)
        if want("bert_tiny_op13"):
            export("bert_tiny_op13", bert, (ids,), a.out, 13, ["input_ids"], ["logits"])
        if want("bert_tiny_op17"):
            export("bert_tiny_op17", bert, (ids,), a.out, 17, ["input_ids"], ["logits"])
        if want("bert_tiny_dyn"):
            export("bert_tiny_dyn", bert, (ids,), a.out, 17, ["input_ids"], ["logits"],
                   {"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}})

    img = torch.from_numpy(np.random.default_rng(8).standard_normal((1, 3, 224, 224)).astype(np.float32))
    import torchvision
    for name, ctor in (("mobilenet_v2", torchvision.models.mobilenet_v2), ("resnet18", torchvision.models.resnet18),
                       ("squeezenet1_1", torchvision.models.squeezenet1_1)):
        if want(name):
            torch.manual_seed(42)
            m = ctor(weights=None)
            warm_batchnorm(m, (1, 3, 224, 224), 43)
            export(name, m, (img,), a.out, 13, ["input"], ["logits"])
    if want("seg_tiny"):
        torch.manual_seed(44)
        m = SegTiny()
        warm_batchnorm(m, (1, 3, 64, 64), 45)
        x = torch.from_numpy(np.random.default_rng(9).standard_normal((1, 3, 64, 64)).astype(np.float32))
        export("seg_tiny", m, (x,), a.out, 13, ["input"], ["mask"])


if __name__ == "__main__":
    main()
