#!/usr/bin/env python3
"""Train the learned 8x8-digits diffusion testbed and export it to ONNX.

Produces, next to this file:
  digits-eps.onnx       class-conditional noise predictor (VP linear schedule, continuous t)
  digits-features.onnx  digits classifier: 64-d penultimate features + 10 logits
  heldout.json          the held-out split (images in [-1, 1], labels)

Data: scikit-learn's bundled load_digits (1,797 images, 8x8, pixel values 0..16; no download),
scaled to [-1, 1] as x = v / 8 - 1 and flattened to 64 values; 80/20 stratified split, seed 0.
Everything is seeded; run with the pinned requirements.txt to reproduce.
"""
import json
import os
import sys
import time

import numpy as np
import jax
import jax.numpy as jnp
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0

# ---- schedule (must match core/src/sampling/noise-schedules.ts VpLinearSchedule) ----
BETA0, BETA1 = 0.1, 20.0
T_MIN = 1e-3


def log_alpha(t):
    return -0.25 * (BETA1 - BETA0) * t * t - 0.5 * BETA0 * t


def alpha_sigma(t, xp=np):
    la = log_alpha(t)
    return xp.exp(la), xp.sqrt(-xp.expm1(2.0 * la))


# ---- architecture ----
WIDTH = 256
BLOCKS = 3
TEMB = 64                 # sinusoidal features of t: 32 sin + 32 cos
NULL_LABEL = 10           # index 10 of the 11-row label table = "no label"
LABEL_DROPOUT = 0.12
LN_EPS = 1e-5
# frequencies applied to t (t in (0, 1] is scaled by 1000 as in DDPM-style embeddings)
FREQS = (1000.0 * np.exp(-np.log(10000.0) * np.arange(TEMB // 2) / (TEMB // 2))).astype(np.float32)

EPS_STEPS = 12000
EPS_BATCH = 256
EPS_LR = 1e-3
EMA_DECAY = 0.999

CLS_H1, CLS_H2 = 128, 64
CLS_EPOCHS = 300
CLS_BATCH = 128
CLS_LR = 2e-3

N_SAMPLES = 1000          # 100 per class
NFE = 50


def log(*a):
    print(*a, flush=True)


# =========================== data ===========================
def load_data():
    d = load_digits()
    x = (d.data.astype(np.float32) / 8.0 - 1.0).astype(np.float32)  # 0..16 -> [-1, 1]
    y = d.target.astype(np.int64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, stratify=y, random_state=SEED)
    return xtr, xte, ytr, yte


# =========================== helpers ===========================
def dense_init(key, n_in, n_out, scale=1.0):
    w = jax.random.normal(key, (n_in, n_out), jnp.float32) * (scale / np.sqrt(n_in))
    return {"w": w, "b": jnp.zeros((n_out,), jnp.float32)}


def dense(p, x):
    return x @ p["w"] + p["b"]


def silu(x):
    return x * jax.nn.sigmoid(x)


def layer_norm(p, x):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + LN_EPS) * p["g"] + p["b"]


def ln_init(n):
    return {"g": jnp.ones((n,), jnp.float32), "b": jnp.zeros((n,), jnp.float32)}


def adam_init(params):
    z = jax.tree_util.tree_map(jnp.zeros_like, params)
    return {"m": z, "v": z, "n": jnp.zeros((), jnp.int32)}


def adam_update(params, grads, st, lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    n = st["n"] + 1
    m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, st["m"], grads)
    v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, st["v"], grads)
    c1 = 1 - b1 ** n
    c2 = 1 - b2 ** n
    params = jax.tree_util.tree_map(
        lambda p, m, v: p - lr * ((m / c1) / (jnp.sqrt(v / c2) + eps) + wd * p), params, m, v)
    return params, {"m": m, "v": v, "n": n}


# =========================== digits-eps ===========================
def eps_init(key):
    ks = jax.random.split(key, 5 + 2 * BLOCKS)
    p = {
        "t1": dense_init(ks[0], TEMB, WIDTH),
        "t2": dense_init(ks[1], WIDTH, WIDTH),
        "label": jax.random.normal(ks[2], (NULL_LABEL + 1, WIDTH), jnp.float32) * 0.5,
        "inp": dense_init(ks[3], 64, WIDTH),
        "blocks": [],
        "ln_out": ln_init(WIDTH),
        "out": {"w": jnp.zeros((WIDTH, 64), jnp.float32), "b": jnp.zeros((64,), jnp.float32)},
    }
    for i in range(BLOCKS):
        p["blocks"].append({
            "ln": ln_init(WIDTH),
            "l1": dense_init(ks[5 + 2 * i], WIDTH, WIDTH),
            "l2": dense_init(ks[6 + 2 * i], WIDTH, WIDTH, scale=0.5),
        })
    return p


def time_embedding(t):
    arg = t[:, None] * FREQS[None, :]
    return jnp.concatenate([jnp.sin(arg), jnp.cos(arg)], axis=1)


def schedule_coeffs(t):
    """alpha_t, sigma_t in float32 exactly as the ONNX graph computes them ([B, 1])."""
    t = t[:, None]
    la = t * t * np.float32(-0.25 * (BETA1 - BETA0)) + t * np.float32(-0.5 * BETA0)
    return jnp.exp(la), jnp.sqrt(jnp.maximum(1.0 - jnp.exp(la * 2.0), 0.0))


def eps_apply(p, x, t, y):
    """eps_hat = sigma_t * x + alpha_t * F(x, t, y): the residual MLP F is v-like (unit scale at every t), and the
    schedule skip makes eps_hat -> x exactly as t -> 1, where eps-prediction needs the most precision."""
    c = dense(p["t2"], silu(dense(p["t1"], time_embedding(t)))) + p["label"][y]
    h = dense(p["inp"], x)
    for b in p["blocks"]:
        z = silu(dense(b["l1"], layer_norm(b["ln"], h)) + c)
        h = h + dense(b["l2"], z)
    f = dense(p["out"], silu(layer_norm(p["ln_out"], h)))
    a, s = schedule_coeffs(t)
    return s * x + a * f


def train_eps(xtr, ytr):
    key = jax.random.PRNGKey(SEED)
    key, k0 = jax.random.split(key)
    params = eps_init(k0)
    ema = params
    opt = adam_init(params)
    X = jnp.asarray(xtr)
    Y = jnp.asarray(ytr)
    n = X.shape[0]

    def loss_fn(p, x0, t, y, e):
        a, s = alpha_sigma(t, jnp)
        xt = a[:, None] * x0 + s[:, None] * e
        return jnp.mean(jnp.sum((eps_apply(p, xt, t, y) - e) ** 2, axis=1))

    @jax.jit
    def step(params, ema, opt, key):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        idx = jax.random.randint(k1, (EPS_BATCH,), 0, n)
        x0, y = X[idx], Y[idx]
        y = jnp.where(jax.random.uniform(k2, (EPS_BATCH,)) < LABEL_DROPOUT, NULL_LABEL, y)
        t = jax.random.uniform(k3, (EPS_BATCH,), jnp.float32, T_MIN, 1.0)
        e = jax.random.normal(k4, x0.shape, jnp.float32)
        loss, g = jax.value_and_grad(loss_fn)(params, x0, t, y, e)
        # warmup 200 steps, cosine decay to 5% of the peak
        i = opt["n"].astype(jnp.float32)
        lr = EPS_LR * jnp.minimum(1.0, (i + 1) / 200) * (0.05 + 0.95 * 0.5 * (1 + jnp.cos(jnp.pi * i / EPS_STEPS)))
        params, opt = adam_update(params, g, opt, lr)
        ema = jax.tree_util.tree_map(lambda e_, p_: EMA_DECAY * e_ + (1 - EMA_DECAY) * p_, ema, params)
        return params, ema, opt, loss

    t0 = time.time()
    window = jnp.zeros((), jnp.float32)
    for i in range(EPS_STEPS):
        key, k = jax.random.split(key)
        params, ema, opt, loss = step(params, ema, opt, k)
        window = window + loss
        if (i + 1) % 2000 == 0:
            m = float(window) / 2000
            window = jnp.zeros((), jnp.float32)
            log(f"  eps steps {i - 1998:5d}-{i + 1:5d}: mean training loss {m:.4f} (per dim {m / 64:.4f})  {time.time() - t0:.0f}s")
    return params, ema, time.time() - t0


def eps_eval_loss(p, x, y, seed, label_override=None):
    """Mean per-dim eps-MSE on fixed noise/t draws (for a train vs held-out comparison)."""
    rng = np.random.default_rng(seed)
    reps = 20
    x0 = np.repeat(x, reps, axis=0)
    yy = np.repeat(y, reps, axis=0) if label_override is None else np.full(len(x0), label_override, np.int64)
    t = rng.uniform(T_MIN, 1.0, len(x0)).astype(np.float32)
    e = rng.standard_normal(x0.shape).astype(np.float32)
    a, s = alpha_sigma(t)
    xt = (a[:, None] * x0 + s[:, None] * e).astype(np.float32)
    out = np.asarray(jax.jit(eps_apply)(p, xt, t, yy))
    return float(np.mean((out - e) ** 2))


# =========================== digits-features ===========================
def cls_init(key):
    k1, k2, k3 = jax.random.split(key, 3)
    return {"l1": dense_init(k1, 64, CLS_H1), "l2": dense_init(k2, CLS_H1, CLS_H2), "l3": dense_init(k3, CLS_H2, 10)}


def cls_apply(p, x):
    h = silu(dense(p["l1"], x))
    f = silu(dense(p["l2"], h))
    return f, dense(p["l3"], f)


def shift_images(x, dx, dy):
    """Shift 8x8 images by (dx, dy) pixels, filling with background (-1)."""
    img = x.reshape(-1, 8, 8)
    img = jnp.roll(img, dy, axis=1)
    img = jnp.roll(img, dx, axis=2)
    rows = jnp.arange(8)
    rmask = jnp.where(dy > 0, rows < dy, jnp.where(dy < 0, rows >= 8 + dy, False))
    cmask = jnp.where(dx > 0, rows < dx, jnp.where(dx < 0, rows >= 8 + dx, False))
    mask = rmask[:, None] | cmask[None, :]
    return jnp.where(mask[None], -1.0, img).reshape(-1, 64)


def train_classifier(xtr, ytr):
    key = jax.random.PRNGKey(SEED + 1)
    key, k0 = jax.random.split(key)
    params = cls_init(k0)
    opt = adam_init(params)
    X = jnp.asarray(xtr)
    Y = jnp.asarray(ytr)
    n = X.shape[0]
    steps_per_epoch = int(np.ceil(n / CLS_BATCH))
    total = CLS_EPOCHS * steps_per_epoch

    def loss_fn(p, x, y):
        _, logits = cls_apply(p, x)
        return jnp.mean(jax.nn.logsumexp(logits, axis=1) - jnp.take_along_axis(logits, y[:, None], axis=1)[:, 0])

    @jax.jit
    def step(params, opt, key):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        idx = jax.random.randint(k1, (CLS_BATCH,), 0, n)
        x, y = X[idx], Y[idx]
        # light augmentation: shift by at most one pixel (half the batch) + small pixel noise
        d = jax.random.randint(k2, (2,), -1, 2)
        xs = shift_images(x, d[0], d[1])
        x = jnp.where(jnp.arange(CLS_BATCH)[:, None] < CLS_BATCH // 2, xs, x)
        x = x + 0.05 * jax.random.normal(k3, x.shape)
        loss, g = jax.value_and_grad(loss_fn)(params, x, y)
        i = opt["n"].astype(jnp.float32)
        lr = CLS_LR * 0.5 * (1 + jnp.cos(jnp.pi * i / total))
        params, opt = adam_update(params, g, opt, lr, wd=1e-4)
        return params, opt, loss

    t0 = time.time()
    for i in range(total):
        key, k = jax.random.split(key)
        params, opt, loss = step(params, opt, k)
        if (i + 1) % (steps_per_epoch * 100) == 0:
            log(f"  classifier epoch {(i + 1) // steps_per_epoch:3d}/{CLS_EPOCHS}  loss {float(loss):.4f}  {time.time() - t0:.0f}s")
    return params, time.time() - t0


# =========================== ONNX export ===========================
class GraphBuilder:
    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def const(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def op(self, op_type, inputs, **attrs):
        self.n += 1
        out = f"{op_type.lower()}_{self.n}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"{op_type}_{self.n}", **attrs))
        return out

    def dense(self, x, p, name):
        w = self.const(f"{name}.weight", np.asarray(p["w"], np.float32))
        b = self.const(f"{name}.bias", np.asarray(p["b"], np.float32))
        return self.op("Add", [self.op("MatMul", [x, w]), b])

    def silu(self, x):
        return self.op("Mul", [x, self.op("Sigmoid", [x])])

    def layer_norm(self, x, p, name):
        g = self.const(f"{name}.scale", np.asarray(p["g"], np.float32))
        b = self.const(f"{name}.bias", np.asarray(p["b"], np.float32))
        return self.op("LayerNormalization", [x, g, b], axis=-1, epsilon=LN_EPS)

    def rename(self, out, name):
        self.nodes.append(helper.make_node("Identity", [out], [name], name=f"Identity_{name}"))

    def model(self, graph_name, inputs, outputs, metadata, doc):
        graph = helper.make_graph(self.nodes, graph_name, inputs, outputs, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="stepwise models/digits/train.py", doc_string=doc)
        m.ir_version = 8
        helper.set_model_props(m, metadata)
        onnx.checker.check_model(m, full_check=True)
        return m


def export_eps(p, path, description):
    g = GraphBuilder()
    t2 = g.op("Unsqueeze", ["t", g.const("axes_1", np.array([1], np.int64))])       # [B, 1]
    arg = g.op("Mul", [t2, g.const("time_freqs", FREQS[None, :])])                   # [B, 32]
    temb = g.op("Concat", [g.op("Sin", [arg]), g.op("Cos", [arg])], axis=1)          # [B, 64]
    c = g.dense(g.silu(g.dense(temb, p["t1"], "time.l1")), p["t2"], "time.l2")
    lab = g.op("Gather", [g.const("label_embedding", np.asarray(p["label"], np.float32)), "y"], axis=0)
    c = g.op("Add", [c, lab])
    h = g.dense("x", p["inp"], "input")
    for i, b in enumerate(p["blocks"]):
        z = g.dense(g.layer_norm(h, b["ln"], f"block{i}.ln"), b["l1"], f"block{i}.l1")
        z = g.silu(g.op("Add", [z, c]))
        h = g.op("Add", [h, g.dense(z, b["l2"], f"block{i}.l2")])
    f = g.dense(g.silu(g.layer_norm(h, p["ln_out"], "out.ln")), p["out"], "out")
    # schedule skip: eps = sigma_t * x + alpha_t * F, alpha/sigma of the VP linear schedule computed from t
    t_sq = g.op("Mul", [t2, t2])
    la = g.op("Add", [g.op("Mul", [t_sq, g.const("neg_quarter_dbeta", np.array(-0.25 * (BETA1 - BETA0), np.float32))]),
                      g.op("Mul", [t2, g.const("neg_half_beta0", np.array(-0.5 * BETA0, np.float32))])])
    alpha = g.op("Exp", [la])
    two, one, zero = (g.const(n, np.array(v, np.float32)) for n, v in [("two", 2.0), ("one", 1.0), ("zero", 0.0)])
    sigma = g.op("Sqrt", [g.op("Max", [g.op("Sub", [one, g.op("Exp", [g.op("Mul", [la, two])])]), zero])])
    out = g.op("Add", [g.op("Mul", [sigma, "x"]), g.op("Mul", [alpha, f])])
    g.rename(out, "eps")
    m = g.model(
        "digits_eps",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", 64]),
         helper.make_tensor_value_info("t", TensorProto.FLOAT, ["B"]),
         helper.make_tensor_value_info("y", TensorProto.INT64, ["B"])],
        [helper.make_tensor_value_info("eps", TensorProto.FLOAT, ["B", 64])],
        {
            "stepwise.schedule": "vp-linear",
            "stepwise.prediction": "noise",
            "stepwise.shape": "[64]",
            "stepwise.kind": "onnx",
            "stepwise.description": description,
            "stepwise.null_label": str(NULL_LABEL),
            "stepwise.data_scale": "[-1,1] from 0..16 pixel values",
        },
        description,
    )
    onnx.save(m, path)


def export_features(p, path, description):
    g = GraphBuilder()
    h = g.silu(g.dense("x", p["l1"], "l1"))
    f = g.silu(g.dense(h, p["l2"], "l2"))
    logits = g.dense(f, p["l3"], "l3")
    g.rename(f, "features")
    g.rename(logits, "logits")
    m = g.model(
        "digits_features",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", 64])],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["B", CLS_H2]),
         helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", 10])],
        {"stepwise.kind": "features", "stepwise.shape": "[64]", "stepwise.description": description},
        description,
    )
    onnx.save(m, path)


# =========================== sampling + metrics (ONNX) ===========================
def guided_eps(sess, x, t, y, w):
    b = x.shape[0]
    tt = np.full(2 * b, t, np.float32)
    xx = np.concatenate([x, x]).astype(np.float32)
    yy = np.concatenate([y, np.full(b, NULL_LABEL, np.int64)])
    out = sess.run(["eps"], {"x": xx, "t": tt, "y": yy})[0]
    ec, eu = out[:b], out[b:]
    return eu + w * (ec - eu)


def sample(sess, y, w, seed, method="ddim", steps=NFE):
    """NFE = steps (one guided evaluation, cond+uncond batched, per step); time-uniform grid 1 -> T_MIN."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((len(y), 64)).astype(np.float64)
    ts = np.linspace(1.0, T_MIN, steps + 1)
    prev_x0, prev_h = None, None
    for i in range(steps):
        t, s = ts[i], ts[i + 1]
        a_t, s_t = alpha_sigma(np.float64(t))
        a_s, s_s = alpha_sigma(np.float64(s))
        e = guided_eps(sess, x.astype(np.float32), t, y, w).astype(np.float64)
        x0 = (x - s_t * e) / a_t
        if method == "ddim":
            x = a_s * x0 + s_s * e
        else:  # DPM-Solver++(2M), data prediction, first order on the first and last step
            h = np.log(a_s / s_s) - np.log(a_t / s_t)
            if prev_x0 is None or i == steps - 1:
                d = x0
            else:
                r = prev_h / h
                d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev_x0
            x = (s_s / s_t) * x - a_s * np.expm1(-h) * d
            prev_x0, prev_h = x0, h
    return x.astype(np.float32)


def stats(f):
    return f.mean(0), np.cov(f, rowvar=False)


def frechet(a, b):
    """|m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^1/2), with tr((S1 S2)^1/2) = sum sqrt(eig(S1^1/2 S2 S1^1/2));
    symmetric eigen-decompositions only, so singular covariances (e.g. a repeated image) are fine."""
    (m1, s1), (m2, s2) = a, b
    w, v = np.linalg.eigh(s1)
    r1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    tr_covmean = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(r1 @ s2 @ r1), 0, None)))
    return float(np.sum((m1 - m2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * tr_covmean)


# =========================== main ===========================
def main():
    t_all = time.time()
    np.random.seed(SEED)
    log(f"python {sys.version.split()[0]}  jax {jax.__version__}  onnx {onnx.__version__}  onnxruntime {ort.__version__}  numpy {np.__version__}")
    xtr, xte, ytr, yte = load_data()
    log(f"data: sklearn load_digits, train {len(xtr)}  held-out {len(xte)} (80/20 stratified, seed {SEED}); x = v/8 - 1 in [-1, 1]")

    # ---- classifier / feature net ----
    log(f"\n[digits-features] MLP 64 -> {CLS_H1} -> {CLS_H2} -> 10 (SiLU), {CLS_EPOCHS} epochs")
    cls, cls_time = train_classifier(xtr, ytr)
    _, lg_tr = cls_apply(cls, jnp.asarray(xtr))
    _, lg_te = cls_apply(cls, jnp.asarray(xte))
    acc_tr = float(np.mean(np.argmax(np.asarray(lg_tr), 1) == ytr))
    acc_te = float(np.mean(np.argmax(np.asarray(lg_te), 1) == yte))
    log(f"  train accuracy {acc_tr:.4f}   held-out accuracy {acc_te:.4f}   ({cls_time:.0f}s)")

    # ---- diffusion model ----
    n_params = None
    log(f"\n[digits-eps] residual MLP width {WIDTH}, {BLOCKS} blocks, sinusoidal t ({TEMB}), label table 11x{WIDTH}, "
        f"label dropout {LABEL_DROPOUT}, {EPS_STEPS} steps x batch {EPS_BATCH}, Adam lr {EPS_LR} cosine, EMA {EMA_DECAY}")
    _, ema, eps_time = train_eps(xtr, ytr)
    n_params = sum(int(np.prod(a.shape)) for a in jax.tree_util.tree_leaves(ema))
    log(f"  parameters {n_params}  training time {eps_time:.0f}s")
    l_tr = eps_eval_loss(ema, xtr, ytr, seed=10)
    l_te = eps_eval_loss(ema, xte, yte, seed=11)
    l_te_u = eps_eval_loss(ema, xte, yte, seed=11, label_override=NULL_LABEL)
    log(f"  EMA eps-MSE per dim (t ~ U(1e-3,1), 20 draws/image): train {l_tr:.4f}  held-out {l_te:.4f}  held-out unconditional {l_te_u:.4f}")

    # ---- export ----
    eps_path = os.path.join(HERE, "digits-eps.onnx")
    feat_path = os.path.join(HERE, "digits-features.onnx")
    export_eps(ema, eps_path,
               f"Class-conditional noise predictor for sklearn 8x8 digits (x = v/8 - 1, flattened to 64), "
               f"eps = sigma_t x + alpha_t F(x, t, y), VP linear schedule (beta 0.1..20) in continuous t in (0,1]; residual MLP width {WIDTH}, {BLOCKS} blocks, "
               f"sinusoidal time embedding ({TEMB}) computed from t in-graph, label table of 11 (10 = no label, "
               f"trained with {int(LABEL_DROPOUT * 100)}% label dropout for classifier-free guidance). "
               f"Trained {EPS_STEPS} steps on the 80% split (seed 0); EMA weights.")
    export_features(cls, feat_path,
                    f"Digits classifier MLP 64-{CLS_H1}-{CLS_H2}-10 (SiLU) on x = v/8 - 1; 'features' = the {CLS_H2}-d "
                    f"penultimate activations (Frechet distance space), 'logits' = class scores. "
                    f"Held-out accuracy {acc_te:.4f} on the 20% split (seed 0).")
    log(f"\nexported {os.path.basename(eps_path)} ({os.path.getsize(eps_path)} bytes), "
        f"{os.path.basename(feat_path)} ({os.path.getsize(feat_path)} bytes); onnx.checker passed")

    # ---- ONNX vs JAX parity ----
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    se = ort.InferenceSession(eps_path, so, providers=["CPUExecutionProvider"])
    sf = ort.InferenceSession(feat_path, so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(123)
    xp = rng.standard_normal((257, 64)).astype(np.float32)
    tp = rng.uniform(T_MIN, 1.0, 257).astype(np.float32)
    yp = rng.integers(0, 11, 257).astype(np.int64)
    d_eps = float(np.max(np.abs(se.run(["eps"], {"x": xp, "t": tp, "y": yp})[0] - np.asarray(eps_apply(ema, xp, tp, yp)))))
    fo, lo = sf.run(["features", "logits"], {"x": xte})
    fj, lj = cls_apply(cls, jnp.asarray(xte))
    d_f = float(np.max(np.abs(fo - np.asarray(fj))))
    d_l = float(np.max(np.abs(lo - np.asarray(lj))))
    log(f"ONNX vs JAX max |diff|: eps {d_eps:.2e}  features {d_f:.2e}  logits {d_l:.2e}")
    assert max(d_eps, d_f, d_l) < 1e-4, "ONNX outputs differ from JAX"

    # ---- sampling + metrics, all through ONNX ----
    feats = lambda x: sf.run(["features", "logits"], {"x": x.astype(np.float32)})
    f_te, _ = feats(xte)
    ref = stats(f_te)
    f_tr, _ = feats(xtr)
    rng = np.random.default_rng(7)
    noise = rng.standard_normal((N_SAMPLES, 64)).astype(np.float32)
    mean_img = np.repeat(xtr.mean(0, keepdims=True), N_SAMPLES, axis=0)
    log(f"\nFrechet distance in digits-features space vs held-out ({len(xte)} images):")
    log(f"  train split ({len(xtr)} real images, floor)   {frechet(stats(f_tr), ref):9.3f}")
    log(f"  Gaussian noise N(0, I) (1000)              {frechet(stats(feats(noise)[0]), ref):9.3f}")
    log(f"  training-set mean image x1000              {frechet(stats(feats(mean_img)[0]), ref):9.3f}")

    y_cond = np.repeat(np.arange(10), N_SAMPLES // 10).astype(np.int64)
    results = []
    for method in ["ddim", "dpmpp2m"]:
        for w in [1.0, 2.0, 3.0]:
            t0 = time.time()
            xs = sample(se, y_cond, w, seed=1000, method=method)
            f, lg = feats(xs)
            acc = float(np.mean(np.argmax(lg, 1) == y_cond))
            fd = frechet(stats(f), ref)
            rng_ = (float(xs.min()), float(xs.max()))
            results.append((method, w, acc, fd))
            log(f"  {method:7s} NFE {NFE} w={w:.0f}: class accuracy {acc:.3f}  Frechet {fd:7.3f}  "
                f"range [{rng_[0]:.2f}, {rng_[1]:.2f}]  ({time.time() - t0:.1f}s)")
    # unconditional (null label only, no guidance): eps = eps_u
    xs_u = sample(se, np.full(N_SAMPLES, NULL_LABEL, np.int64), 0.0, seed=1000, method="ddim")
    fu, lgu = feats(xs_u)
    counts = np.bincount(np.argmax(lgu, 1), minlength=10)
    log(f"  ddim    NFE {NFE} unconditional (y=10): Frechet {frechet(stats(fu), ref):7.3f}  predicted class counts {counts.tolist()}")

    # ---- held-out data for the TypeScript side ----
    ho = {
        "description": "Held-out 20% of sklearn load_digits (train_test_split test_size=0.2, stratify=y, random_state=0); "
                       "images are x = v/8 - 1 in [-1, 1] (v = 0..16 pixel values), flattened row-major to 64.",
        "count": int(len(xte)),
        "shape": [64],
        "labels": [int(v) for v in yte],
        "images": [[round(float(v), 4) for v in row] for row in xte],
    }
    with open(os.path.join(HERE, "heldout.json"), "w") as fh:
        json.dump(ho, fh, separators=(",", ":"))
    log(f"\nwrote heldout.json ({os.path.getsize(os.path.join(HERE, 'heldout.json'))} bytes)")
    log(f"total time {time.time() - t_all:.0f}s")


if __name__ == "__main__":
    main()
