#!/usr/bin/python3
"""Makes tests/data/torchvision_blocks/: small networks built from torchvision's own blocks, one per ONNX
pattern that torchvision's CNN zoo exports (issue 15), for tests/test_onnx_torchvision_blocks.cpp.

Each fixture NAME is a block (or two) of a torchvision model at a small width and input size, between a
small stem and a small classifier head (global pool + flatten + linear, or the head the model itself has),
with seeded random weights and randomised BatchNorm statistics (so that folding BN into the convolution is
exercised), in eval mode. The script writes
  NAME.onnx          torch.onnx.export at opset 13 with a batch of 1, as torchvision's users export
  NAME.input.npy     3 inputs (3, C, H, W) float32
  NAME.output.npy    torch's logits for them (3, classes) float32
and prints each fixture's ONNX op types. The C++ test runs the ONNX model on the whole batch of 3.

Rerun (deterministic: fixed seeds, one thread; needs Debian's python3-torch, python3-torchvision and
python3-onnx, i.e. torch 1.13 / torchvision 0.14, so /usr/bin/python3 rather than a pyenv python3):

    /usr/bin/python3 scripts/make_fixtures.py            # every fixture
    /usr/bin/python3 scripts/make_fixtures.py NAME...    # some of them

The ONNX bytes depend on the torch version; the outputs are checked against a tolerance, not bit for bit.
"""

import functools
import importlib
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn
from torchvision.models import densenet, efficientnet, inception, mobilenetv2, mobilenetv3, regnet, resnet, \
    shufflenetv2, squeezenet
from torchvision.ops.misc import Conv2dNormActivation

# torchvision.models.googlenet is the builder function, which hides the module of that name.
googlenet = importlib.import_module("torchvision.models.googlenet")

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "torchvision_blocks")
BATCH = 3
CLASSES = 5


def randomise_batch_norms(model, generator):
    """Non-trivial BatchNorm statistics and affine parameters (fresh ones are the identity up to eps)."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            n = module.num_features
            with torch.no_grad():
                module.running_mean.copy_(torch.randn(n, generator=generator) * 0.2)
                module.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
                if module.affine:
                    module.weight.copy_(torch.rand(n, generator=generator) + 0.5)
                    module.bias.copy_(torch.randn(n, generator=generator) * 0.2)


class Classifier(nn.Module):
    """stem -> body -> head, the shape of every torchvision classifier."""

    def __init__(self, stem, body, head):
        super().__init__()
        self.stem = stem
        self.body = body
        self.head = head

    def forward(self, x):
        return self.head(self.body(self.stem(x)))


def pool_head(channels, classes=CLASSES):
    """AdaptiveAvgPool2d(1) + flatten + linear: ResNet's, RegNet's, EfficientNet's head."""
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(1), nn.Linear(channels, classes))


def conv_bn_relu(cin, cout, **kwargs):
    return Conv2dNormActivation(cin, cout, **kwargs)


# ----------------------------------------------------------------------------------------------- fixtures
# Each returns (model, input shape (C, H, W)).

def densenet_block():
    """DenseNet: a dense block (BN-ReLU-Conv1x1-BN-ReLU-Conv3x3, each layer's output concatenated to its
    input: Concat of 2, 3 inputs, and BatchNormalization after a Concat, which no conv absorbs), a
    transition (BN-ReLU-Conv1x1-AvgPool 2x2) and DenseNet's head (BN, ReLU, adaptive pool, flatten, linear)."""
    body = nn.Sequential(
        densenet._DenseBlock(num_layers=2, num_input_features=8, bn_size=2, growth_rate=4, drop_rate=0.0),
        densenet._Transition(num_input_features=16, num_output_features=8),
    )
    head = nn.Sequential(nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(1),
                         nn.Linear(8, CLASSES))
    return Classifier(nn.Conv2d(3, 8, 3, padding=1, bias=False), body, head), (3, 12, 12)


def googlenet_inception():
    """GoogLeNet: an Inception block (four branches, one starting with MaxPool k3 s1 p1 ceil_mode, joined
    by Concat) after GoogLeNet's stem MaxPool k3 s2 ceil_mode."""
    stem = nn.Sequential(googlenet.BasicConv2d(3, 16, kernel_size=3, padding=1),
                         nn.MaxPool2d(3, stride=2, ceil_mode=True))
    body = googlenet.Inception(16, 8, 4, 8, 2, 4, 4)
    return Classifier(stem, body, pool_head(24)), (3, 14, 14)


class TransformInput(nn.Module):
    """GoogLeNet's and Inception v3's transform_input (ImageNet weights): each input channel rescaled alone
    (Gather, Unsqueeze, Mul, Add) and the three concatenated again."""

    transform_input = True
    _transform_input = googlenet.GoogLeNet._transform_input

    def forward(self, x):
        return self._transform_input(x)


def googlenet_transform_input():
    """GoogLeNet's transform_input in front of a conv stem."""
    stem = nn.Sequential(TransformInput(), googlenet.BasicConv2d(3, 8, kernel_size=3, padding=1))
    return Classifier(stem, nn.Identity(), pool_head(8)), (3, 8, 8)


def shrunk(divisor, block):
    """Inception v3's blocks hard-code their branch widths (64, 96, 192, 384, ...): build them with a
    conv_block that divides every width by `divisor`, so the block's own forward runs at a small width."""
    return functools.partial(block, conv_block=lambda cin, cout, **kw: inception.BasicConv2d(cin // divisor,
                                                                                              cout // divisor, **kw))


def inception_v3_a():
    """Inception v3 InceptionA: F.avg_pool2d(k3, s1, p1) with count_include_pad (torch writes Pad +
    AveragePool without pads), 5x5 and 3x3 branches, Concat."""
    stem = inception.BasicConv2d(3, 8, kernel_size=3)
    body = shrunk(16, inception.InceptionA)(in_channels=128, pool_features=32)  # 4 + 4 + 6 + 2 channels
    return Classifier(stem, body, pool_head(16)), (3, 10, 10)


def inception_v3_b():
    """Inception v3 InceptionB (the grid reduction): conv branches of stride 2 and a bare F.max_pool2d(k3,
    s2) branch that goes straight into the Concat."""
    stem = inception.BasicConv2d(3, 8, kernel_size=3)
    body = shrunk(16, inception.InceptionB)(in_channels=128)  # 24 + 6 + 8 channels
    return Classifier(stem, body, pool_head(38)), (3, 11, 11)


def inception_v3_c():
    """Inception v3 InceptionC: factorised 1x7 / 7x1 convolutions (asymmetric kernels and pads)."""
    stem = inception.BasicConv2d(3, 8, kernel_size=3)
    body = shrunk(16, inception.InceptionC)(in_channels=128, channels_7x7=64)  # 4 x 12 channels
    return Classifier(stem, body, pool_head(48)), (3, 9, 9)


def inception_v3_e():
    """Inception v3 InceptionE: branches that split into a 1x3 and a 3x1 conv, concatenated inside the
    branch, then all branches concatenated (torch writes one Concat of 6 inputs), and the padded avg-pool
    branch."""
    stem = inception.BasicConv2d(3, 8, kernel_size=3)
    body = shrunk(32, inception.InceptionE)(in_channels=256)  # 10 + 24 + 24 + 6 channels
    return Classifier(stem, body, pool_head(64)), (3, 7, 7)


def squeezenet_fire():
    """SqueezeNet: MaxPool k3 s2 ceil_mode, a Fire module (squeeze 1x1, expand 1x1 and 3x3, Concat), and
    SqueezeNet's head: a 1x1 conv to the classes, ReLU, adaptive pool, flatten (no linear)."""
    stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2, ceil_mode=True))
    body = squeezenet.Fire(8, 4, 6, 6)
    head = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(12, CLASSES, 1), nn.ReLU(inplace=True),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(1))
    return Classifier(stem, body, head), (3, 21, 21)


def shufflenet_head(channels):
    """ShuffleNet v2's head: conv5 (1x1, BN, ReLU), x.mean([2, 3]) (ReduceMean), linear."""
    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv5 = nn.Sequential(nn.Conv2d(channels, 16, 1, bias=False), nn.BatchNorm2d(16),
                                       nn.ReLU(inplace=True))
            self.fc = nn.Linear(16, CLASSES)

        def forward(self, x):
            return self.fc(self.conv5(x).mean([2, 3]))
    return Head()


def shufflenet_v2_stride1():
    """ShuffleNet v2 unit of stride 1: x.chunk(2, dim=1) (Split), one half through 1x1, depthwise 3x3, 1x1,
    Concat with the other half, channel_shuffle (Reshape, Transpose, Reshape), then ReduceMean in the head."""
    stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
    return Classifier(stem, shufflenetv2.InvertedResidual(8, 8, 1), shufflenet_head(8)), (3, 8, 8)


def shufflenet_v2_stride2():
    """ShuffleNet v2 units of a stage: stride 2 (both branches on the input, Concat, channel_shuffle), then
    stride 1."""
    stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
    body = nn.Sequential(shufflenetv2.InvertedResidual(8, 16, 2), shufflenetv2.InvertedResidual(16, 16, 1))
    return Classifier(stem, body, shufflenet_head(16)), (3, 10, 10)


def mobilenet_v3_blocks():
    """MobileNet v3 inverted residuals: one with SE (ReLU, HardSigmoid gate) and ReLU, no expansion, stride 2
    (mobilenet_v3_small's first block), one with expansion, hard-swish (Mul(x, HardSigmoid(x))), a 5x5
    depthwise conv, SE and the residual Add; MobileNet v3's head (1x1 conv + hard-swish, adaptive pool,
    flatten, linear, hard-swish on a vector, dropout, linear)."""
    norm = functools.partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
    cfg = mobilenetv3.InvertedResidualConfig
    stem = Conv2dNormActivation(3, 16, kernel_size=3, stride=2, norm_layer=norm, activation_layer=nn.Hardswish)
    body = nn.Sequential(mobilenetv3.InvertedResidual(cfg(16, 3, 16, 16, True, "RE", 2, 1, 1.0), norm),
                         mobilenetv3.InvertedResidual(cfg(16, 5, 48, 16, True, "HS", 1, 1, 1.0), norm))
    head = nn.Sequential(Conv2dNormActivation(16, 32, kernel_size=1, norm_layer=norm, activation_layer=nn.Hardswish),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(1), nn.Linear(32, 16), nn.Hardswish(inplace=True),
                         nn.Dropout(0.2), nn.Linear(16, CLASSES))
    return Classifier(stem, body, head), (3, 16, 16)


def efficientnet_mbconv():
    """EfficientNet MBConv blocks: SiLU (Mul(x, Sigmoid(x))) after every conv, SE with SiLU and a Sigmoid
    gate; one without expansion and with the residual Add (stochastic depth is the identity in eval mode),
    one with expansion 4, a 5x5 depthwise conv of stride 2; EfficientNet's head."""
    norm = functools.partial(nn.BatchNorm2d, eps=1e-3)
    stem = Conv2dNormActivation(3, 8, kernel_size=3, stride=2, norm_layer=norm, activation_layer=nn.SiLU)
    body = nn.Sequential(efficientnet.MBConv(efficientnet.MBConvConfig(1, 3, 1, 8, 8, 1), 0.2, norm),
                         efficientnet.MBConv(efficientnet.MBConvConfig(4, 5, 2, 8, 16, 1), 0.2, norm))
    head = nn.Sequential(Conv2dNormActivation(16, 32, kernel_size=1, norm_layer=norm, activation_layer=nn.SiLU),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(1), nn.Dropout(0.2), nn.Linear(32, CLASSES))
    return Classifier(stem, body, head), (3, 16, 16)


def efficientnet_v2_fused():
    """EfficientNet v2 FusedMBConv blocks (a full 3x3 conv in place of expand + depthwise, no SE): one without
    expansion and with the residual, one with expansion 4 and stride 2."""
    norm = functools.partial(nn.BatchNorm2d, eps=1e-3)
    stem = Conv2dNormActivation(3, 8, kernel_size=3, stride=2, norm_layer=norm, activation_layer=nn.SiLU)
    body = nn.Sequential(efficientnet.FusedMBConv(efficientnet.FusedMBConvConfig(1, 3, 1, 8, 8, 1), 0.2, norm),
                         efficientnet.FusedMBConv(efficientnet.FusedMBConvConfig(4, 3, 2, 8, 16, 1), 0.2, norm))
    return Classifier(stem, body, pool_head(16)), (3, 12, 12)


def regnet_y_blocks():
    """RegNetY residual bottlenecks: grouped 3x3 conv, SE (ReLU, Sigmoid gate) on the bottleneck, residual Add
    then ReLU; one with the projection shortcut (stride 2), one with the identity."""
    norm = nn.BatchNorm2d
    stem = regnet.SimpleStemIN(3, 8, norm, nn.ReLU)
    block = functools.partial(regnet.ResBottleneckBlock, norm_layer=norm, activation_layer=nn.ReLU, group_width=8,
                              bottleneck_multiplier=1.0, se_ratio=0.25)
    body = nn.Sequential(block(8, 16, 2), block(16, 16, 1))
    return Classifier(stem, body, pool_head(16)), (3, 16, 16)


def activation_fixture(activation):
    """A torchvision Conv2dNormActivation with the given activation, then the pool head."""
    def make():
        inplace = None if activation in (nn.Sigmoid, nn.Tanh, nn.GELU) else True  # these take no inplace
        stem = Conv2dNormActivation(3, 8, kernel_size=3, activation_layer=activation, inplace=inplace)
        body = Conv2dNormActivation(8, 8, kernel_size=3, activation_layer=activation, inplace=inplace)
        return Classifier(stem, body, pool_head(8)), (3, 6, 6)
    make.__doc__ = f"Conv2dNormActivation with nn.{activation.__name__}, twice, and the pool head."
    return make


class GlobalMax(nn.Module):
    def forward(self, x):
        return x.amax(dim=(2, 3))


def max_head():
    """x.amax((2, 3)) as the global pool (ReduceMax), then a linear layer."""
    stem = Conv2dNormActivation(3, 8, kernel_size=3)
    return Classifier(stem, nn.Identity(), nn.Sequential(GlobalMax(), nn.Linear(8, CLASSES))), (3, 6, 6)


def softmax_output():
    """A model that ends in Softmax over the classes (probabilities out instead of logits)."""
    stem = Conv2dNormActivation(3, 8, kernel_size=3)
    return Classifier(stem, nn.Identity(), nn.Sequential(pool_head(8), nn.Softmax(dim=1))), (3, 6, 6)


def resnet_blocks():
    """ResNet: a BasicBlock (identity shortcut) and a ResNeXt Bottleneck (grouped 3x3, stride 2, downsample
    shortcut). Imports on main before issue 15: it checks this test's harness itself."""
    stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
    downsample = nn.Sequential(resnet.conv1x1(8, 16, 2), nn.BatchNorm2d(16))
    body = nn.Sequential(resnet.BasicBlock(8, 8), resnet.Bottleneck(8, 4, 2, downsample, groups=2, base_width=64))
    return Classifier(stem, body, pool_head(16)), (3, 10, 10)


def mobilenet_v2_blocks():
    """MobileNet v2 inverted residuals (ReLU6 as Clip; expansion 1 then 6 with the residual Add) and its
    head. Imports on main before issue 15, like resnet_blocks."""
    stem = Conv2dNormActivation(3, 8, kernel_size=3, stride=2, activation_layer=nn.ReLU6)
    body = nn.Sequential(mobilenetv2.InvertedResidual(8, 8, 1, 1), mobilenetv2.InvertedResidual(8, 8, 1, 6))
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(1), nn.Dropout(0.2), nn.Linear(8, CLASSES))
    return Classifier(stem, body, head), (3, 12, 12)


def zero_pad_conv():
    """nn.ZeroPad2d before a convolution: asymmetric (0, 1, 0, 1) before a 3x3 conv of stride 2 (TensorFlow's
    'same' padding, as ported models write it), and (1, 1, 1, 1) before a 3x3 conv: a Pad that folds into the
    conv's own padding. torch 1.13 writes F.pad's pads not as a constant but as a chain over constants
    (ConstantOfShape, Concat, Reshape, Slice with step -1, Transpose, Reshape, Cast), which the importer must
    fold; no torchvision classifier uses F.pad (its Pads come from avg_pool2d, with constant pads)."""
    stem = Conv2dNormActivation(3, 8, kernel_size=3)
    body = nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(8, 8, 3, stride=2), nn.ReLU(inplace=True),
                         nn.ZeroPad2d(1), nn.Conv2d(8, 8, 3), nn.ReLU(inplace=True))
    return Classifier(stem, body, pool_head(8)), (3, 8, 8)


FIXTURES = {
    "densenet_block": densenet_block,
    "googlenet_inception": googlenet_inception,
    "googlenet_transform_input": googlenet_transform_input,
    "inception_v3_a": inception_v3_a,
    "inception_v3_b": inception_v3_b,
    "inception_v3_c": inception_v3_c,
    "inception_v3_e": inception_v3_e,
    "squeezenet_fire": squeezenet_fire,
    "shufflenet_v2_stride1": shufflenet_v2_stride1,
    "shufflenet_v2_stride2": shufflenet_v2_stride2,
    "mobilenet_v3_blocks": mobilenet_v3_blocks,
    "efficientnet_mbconv": efficientnet_mbconv,
    "efficientnet_v2_fused": efficientnet_v2_fused,
    "regnet_y_blocks": regnet_y_blocks,
    "conv_sigmoid": activation_fixture(nn.Sigmoid),
    "conv_hardsigmoid": activation_fixture(nn.Hardsigmoid),
    "conv_tanh": activation_fixture(nn.Tanh),
    "conv_gelu": activation_fixture(nn.GELU),
    "max_head": max_head,
    "softmax_output": softmax_output,
    "resnet_blocks": resnet_blocks,
    "mobilenet_v2_blocks": mobilenet_v2_blocks,
    "zero_pad_conv": zero_pad_conv,
}


def make(name, index):
    torch.manual_seed(1000 + index)
    model, shape = FIXTURES[name]()
    randomise_batch_norms(model, torch.Generator().manual_seed(2000 + index))
    model.eval()
    x = torch.randn(BATCH, *shape, generator=torch.Generator().manual_seed(3000 + index))
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT_DIR, name)
    torch.onnx.export(model, x[:1], path + ".onnx", opset_version=13, input_names=["input"],
                      output_names=["logits"])
    np.save(path + ".input.npy", x.numpy())
    np.save(path + ".output.npy", y.numpy())
    ops = sorted({n.op_type for n in onnx.load(path + ".onnx").graph.node})
    size = sum(os.path.getsize(path + ext) for ext in (".onnx", ".input.npy", ".output.npy"))
    print(f"{name}: input {list(x.shape)}, logits max |y| {y.abs().max():.3g}, {size} bytes; {' '.join(ops)}")


def main(argv):
    names = argv[1:] or list(FIXTURES)
    unknown = [n for n in names if n not in FIXTURES]
    if unknown:
        print(f"make_fixtures.py: unknown fixture(s) {unknown}; known: {' '.join(FIXTURES)}", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in names:
        make(name, list(FIXTURES).index(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
