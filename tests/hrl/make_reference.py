#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures of the hrl/nn tests (tests/hrl/fixtures/nn_*.txt).

Oracle: PyTorch's own modules (torch.nn.LSTM batch_first, torch.nn.MultiheadAttention batch_first
with key_padding_mask, torch.nn.Linear, F.cross_entropy, torch.optim.Adam,
torch.nn.utils.clip_grad_norm_) and autograd for every gradient. Run by hand with Debian's
python3-torch (CI does not need torch; it reads the committed fixtures):

    /usr/bin/python3 tests/hrl/make_reference.py tests/hrl/fixtures

Each case is first checked here with torch.autograd.gradcheck in float64 (finite differences), so
a wrong reference cannot be written. Fixture format (text, read by tests/hrl/nn_fixture.h):
    # comment lines
    <name> <ndim> <d0> ... <d_{ndim-1}>
    <product(shape) values, '%.9g' (float32 round-trips exactly)>
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


class Writer:
    def __init__(self, path, comment):
        self.path = path
        self.lines = [f'# {line}' for line in comment.strip().split('\n')]
        self.lines.append(f'# written by tests/hrl/make_reference.py with torch {torch.__version__}')

    def add(self, name, tensor):
        a = np.asarray(tensor.detach().cpu().numpy() if torch.is_tensor(tensor) else tensor,
                       dtype=np.float32)
        self.lines.append(f'{name} {a.ndim} ' + ' '.join(str(d) for d in a.shape))
        self.lines.append(' '.join('%.9g' % v for v in a.reshape(-1)))

    def close(self):
        with open(self.path, 'w') as f:
            f.write('\n'.join(self.lines) + '\n')
        print(f'{self.path}: {os.path.getsize(self.path)} bytes')


def hash_weights(n, bound, salt):
    """Weights from an integer hash (used where storing them would be too big): identical bits
    in C++ (tests/hrl/nn_fixture.h HashWeights): u = ((i * 2654435761 + salt) mod 2^32) / 2^32,
    w = float32((u - 0.5) * 2 * bound) in float64."""
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(salt)) % np.uint64(2 ** 32)
    u = h.astype(np.float64) / 2.0 ** 32
    return ((u - 0.5) * 2.0 * bound).astype(np.float32)


def live_forward(lstm, attn, heads, x, valid, h0, c0):
    """The live network: the LSTM runs over each window's valid steps only, from (h0, c0);
    padded steps output 0 and are masked keys; heads read the last valid step."""
    B, T, _ = x.shape
    H = lstm.hidden_size
    outs, hn, cn, last = [], [], [], []
    for b in range(B):
        idx = valid[b].nonzero().flatten()
        o, (h, c) = lstm(x[b:b + 1, idx], (h0[b].view(1, 1, H), c0[b].view(1, 1, H)))
        outs.append(torch.zeros(T, H, dtype=x.dtype).index_put((idx,), o[0]))
        hn.append(h.view(H))
        cn.append(c.view(H))
        last.append(int(idx.max()))
    lstm_out = torch.stack(outs)
    attn_out, _ = attn(lstm_out, lstm_out, lstm_out, key_padding_mask=~valid.bool(),
                       need_weights=False)
    z = attn_out[torch.arange(B), torch.tensor(last)]
    policy, value, outcome = (head(z) for head in heads)
    return policy, value.view(B), outcome, torch.stack(hn), torch.stack(cn), last


def gradcheck_live(lstm, attn, heads, x, valid, h0, c0):
    """Finite differences in float64 of a loss touching every head, w.r.t. x, h0 and c0."""
    mods = [lstm, attn] + list(heads)
    for m in mods:
        m.double()
    g = torch.Generator().manual_seed(5)
    B = x.shape[0]
    dp = torch.randn(B, heads[0].out_features, generator=g, dtype=torch.float64)

    def loss(xx, hh, cc):
        p, v, o, _, _, _ = live_forward(lstm, attn, heads, xx, valid, hh, cc)
        return (p * dp).sum() + v.sum() + o.logsumexp(1).sum()

    ok = torch.autograd.gradcheck(loss, (x.double().requires_grad_(), h0.double().requires_grad_(),
                                         c0.double().requires_grad_()), eps=1e-6, atol=1e-5)
    for m in mods:
        m.float()
    assert ok, 'gradcheck of the live network reference failed'


def case_lstm(out_dir):
    torch.manual_seed(1)
    I, H, B, T = 8, 16, 3, 5
    lstm = torch.nn.LSTM(I, H, batch_first=True)
    x = torch.randn(B, T, I, requires_grad=True)
    h0 = torch.randn(B, H, requires_grad=True)
    c0 = torch.randn(B, H, requires_grad=True)
    out, (hn, cn) = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    d_out, d_hn, d_cn = torch.randn(B, T, H), torch.randn(B, H), torch.randn(B, H)
    loss = (out * d_out).sum() + (hn[0] * d_hn).sum() + (cn[0] * d_cn).sum()
    loss.backward()
    assert torch.autograd.gradcheck(
        lambda a, b, c: torch.nn.LSTM.forward(lstm.double(), a, (b.unsqueeze(0), c.unsqueeze(0)))[0],
        (x.detach().double().requires_grad_(), h0.detach().double().requires_grad_(),
         c0.detach().double().requires_grad_()))
    lstm.float()
    w = Writer(os.path.join(out_dir, 'nn_lstm.txt'),
               f'torch.nn.LSTM({I}, {H}, batch_first=True), batch {B}, steps {T}, all steps valid;\n'
               'loss = sum(out * d_out) + sum(h_n * d_h_n) + sum(c_n * d_c_n)')
    for name, p in lstm.named_parameters():
        w.add(name, p)
    for name, t in [('x', x), ('h0', h0), ('c0', c0), ('out', out), ('h_n', hn[0]),
                    ('c_n', cn[0]), ('d_out', d_out), ('d_h_n', d_hn), ('d_c_n', d_cn),
                    ('dx', x.grad), ('d_h0', h0.grad), ('d_c0', c0.grad)]:
        w.add(name, t)
    for name, p in lstm.named_parameters():
        w.add('grad.' + name, p.grad)
    w.close()


def case_attention(out_dir):
    torch.manual_seed(2)
    E, NH, B, T = 16, 4, 3, 5
    attn = torch.nn.MultiheadAttention(E, NH, batch_first=True)
    with torch.no_grad():  # non-zero biases, so that their gradients are tested too
        attn.in_proj_bias.uniform_(-0.3, 0.3)
        attn.out_proj.bias.uniform_(-0.3, 0.3)
    x = torch.randn(B, T, E, requires_grad=True)
    valid = torch.tensor([[1, 1, 1, 1, 1], [1, 0, 1, 1, 0], [0, 0, 1, 0, 0]], dtype=torch.uint8)
    out, _ = attn(x, x, x, key_padding_mask=~valid.bool(), need_weights=False)
    d_out = torch.randn(B, T, E)
    (out * d_out).sum().backward()
    attn.double()
    assert torch.autograd.gradcheck(
        lambda a: attn(a, a, a, key_padding_mask=~valid.bool(), need_weights=False)[0],
        (x.detach().double().requires_grad_(),))
    attn.float()
    w = Writer(os.path.join(out_dir, 'nn_attention.txt'),
               f'torch.nn.MultiheadAttention({E}, {NH}, batch_first=True), batch {B}, steps {T},\n'
               'key_padding_mask = ~valid; loss = sum(out * d_out)')
    for name, p in attn.named_parameters():
        w.add(name, p)
    for name, t in [('x', x), ('valid', valid), ('out', out), ('d_out', d_out), ('dx', x.grad)]:
        w.add(name, t)
    for name, p in attn.named_parameters():
        w.add('grad.' + name, p.grad)
    w.close()


def make_live(I, H, NH, seed):
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(I, H, batch_first=True)
    attn = torch.nn.MultiheadAttention(H, NH, batch_first=True)
    heads = (torch.nn.Linear(H, 3), torch.nn.Linear(H, 1), torch.nn.Linear(H, 3))
    return lstm, attn, heads


def live_names(lstm, attn, heads):
    named = [('lstm.' + n, p) for n, p in lstm.named_parameters()]
    named += [('attention.' + n, p) for n, p in attn.named_parameters()]
    for prefix, head in zip(('policy_head', 'value_head', 'outcome_head'), heads):
        named += [(prefix + '.' + n, p) for n, p in head.named_parameters()]
    return named


def case_live(out_dir, I, H, NH, B, T, valid, file_name, hashed, grad_stride):
    lstm, attn, heads = make_live(I, H, NH, 3)
    named = live_names(lstm, attn, heads)
    with torch.no_grad():
        attn.in_proj_bias.uniform_(-0.3, 0.3)
        attn.out_proj.bias.uniform_(-0.3, 0.3)
        if hashed:
            for k, (name, p) in enumerate(named):
                bound = 1.0 / np.sqrt(H if 'lstm' in name else p.shape[-1])
                p.copy_(torch.from_numpy(hash_weights(p.numel(), bound, 1000 + k)).view(p.shape))
    g = torch.Generator().manual_seed(4)
    x = torch.randn(B, T, I, generator=g)
    h0 = 0.5 * torch.randn(B, H, generator=g)
    c0 = 0.5 * torch.randn(B, H, generator=g)
    labels = torch.randint(0, 3, (B,), generator=g)
    d_policy = torch.randn(B, 3, generator=g)
    d_value = torch.randn(B, generator=g)
    if not hashed:
        gradcheck_live(lstm, attn, heads, x, valid, h0, c0)
    xr = x.clone().requires_grad_()
    policy, value, outcome, hn, cn, last = live_forward(lstm, attn, heads, xr, valid, h0, c0)
    ce = F.cross_entropy(outcome, labels)
    loss = (policy * d_policy).sum() + (value * d_value).sum() + ce
    loss.backward()
    w = Writer(os.path.join(out_dir, file_name),
               f'live network: LSTM({I}, {H}) -> MultiheadAttention({H}, {NH}) -> heads at the last\n'
               f'valid step; batch {B}, steps {T}; LSTM over valid steps only from (h0, c0);\n'
               'loss = sum(policy * d_policy) + sum(value * d_value) + cross_entropy(outcome, labels)\n'
               + ('weights: hash_weights(numel, bound, 1000 + parameter index), not stored;\n'
                  f'gradients: every {grad_stride}th element (grad_sampled.*)' if hashed else
                  'weights and full gradients stored'))
    if not hashed:
        for name, p in named:
            w.add(name, p)
    for name, t in [('x', x), ('valid', valid), ('h0', h0), ('c0', c0),
                    ('labels', labels.float()), ('d_policy', d_policy), ('d_value', d_value),
                    ('policy', policy), ('value', value), ('outcome', outcome), ('h_n', hn),
                    ('c_n', cn), ('last_valid', torch.tensor(last, dtype=torch.float32)),
                    ('loss_ce', ce.view(1)), ('dx', xr.grad)]:
        w.add(name, t)
    w.add('grad_stride', torch.tensor([float(grad_stride)]))
    for name, p in named:
        if hashed:
            w.add('grad_sampled.' + name, p.grad.reshape(-1)[::grad_stride])
        else:
            w.add('grad.' + name, p.grad)
    w.close()


def case_mlp(out_dir):
    torch.manual_seed(6)
    mlp = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8),
                              torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x = torch.randn(5, 6, requires_grad=True)
    y = mlp(x)
    dy = torch.randn(5, 3)
    (y * dy).sum().backward()
    w = Writer(os.path.join(out_dir, 'nn_mlp.txt'),
               'torch.nn.Sequential(Linear(6, 8), ReLU, Linear(8, 8), ReLU, Linear(8, 3)),\n'
               'batch 5; loss = sum(y * dy)')
    for name, p in mlp.named_parameters():
        w.add('q.' + name, p)
    for name, t in [('x', x), ('y', y), ('dy', dy), ('dx', x.grad)]:
        w.add(name, t)
    for name, p in mlp.named_parameters():
        w.add('grad.q.' + name, p.grad)
    w.close()


def case_optim(out_dir):
    torch.manual_seed(7)
    a = torch.nn.Parameter(torch.randn(4, 3))
    b = torch.nn.Parameter(torch.randn(5))
    opt = torch.optim.Adam([a, b], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    w = Writer(os.path.join(out_dir, 'nn_optim.txt'),
               'torch.optim.Adam([a, b], lr=0.01, betas=(0.9, 0.999), eps=1e-8,\n'
               'weight_decay=0.01), 6 steps with the stored gradients, then\n'
               'torch.nn.utils.clip_grad_norm_([a, b], 0.5) on the stored clip gradients')
    w.add('a', a)
    w.add('b', b)
    for step in range(6):
        ga, gb = torch.randn(4, 3) * (step + 1), torch.randn(5) * 0.01
        a.grad, b.grad = ga.clone(), gb.clone()
        opt.step()
        w.add(f'step{step}.grad_a', ga)
        w.add(f'step{step}.grad_b', gb)
        w.add(f'step{step}.a', a)
        w.add(f'step{step}.b', b)
    ga, gb = torch.randn(4, 3), torch.randn(5)
    a.grad, b.grad = ga.clone(), gb.clone()
    total = torch.nn.utils.clip_grad_norm_([a, b], 0.5)
    w.add('clip.grad_a', ga)
    w.add('clip.grad_b', gb)
    w.add('clip.total_norm', total.view(1))
    w.add('clip.clipped_a', a.grad)
    w.add('clip.clipped_b', b.grad)
    w.close()


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                                  'fixtures')
    os.makedirs(out_dir, exist_ok=True)
    case_lstm(out_dir)
    case_attention(out_dir)
    # Small live network: holes in the middle, padded last steps, one window with one valid step.
    valid = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1], [1, 1, 1, 0, 0, 0],
                          [0, 0, 0, 1, 0, 0]], dtype=torch.uint8)
    case_live(out_dir, 8, 16, 4, 4, 6, valid, 'nn_live_small.txt', hashed=False, grad_stride=1)
    # The real sizes: input 64, hidden 128, 4 heads, T = 10.
    valid = torch.tensor([[1] * 10, [1, 1, 0, 1, 1, 1, 0, 1, 1, 0]], dtype=torch.uint8)
    case_live(out_dir, 64, 128, 4, 2, 10, valid, 'nn_live_full.txt', hashed=True, grad_stride=97)
    case_mlp(out_dir)
    case_optim(out_dir)


if __name__ == '__main__':
    main()
