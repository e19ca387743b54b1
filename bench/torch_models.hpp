#pragma once
// The libtorch peers of the zoo models the benchmarks time: torchvision's vgg16 and resnet18 built from
// torch::nn with the same layer configuration (random weights; only timing is compared).

#if XDDP_HAVE_TORCH
#include <torch/torch.h>

namespace xddp::bench {

namespace nn = torch::nn;

inline nn::Sequential torch_vgg16() {
    nn::Sequential model;  // torchvision's features, avgpool and classifier, flattened into one Sequential
    const int plan[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    long in = 3;
    for (int c : plan) {
        if (c == 0) {
            model->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
            continue;
        }
        model->push_back(nn::Conv2d(nn::Conv2dOptions(in, c, 3).padding(1)));
        model->push_back(nn::ReLU(nn::ReLUOptions(true)));
        in = c;
    }
    model->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({7, 7})));
    model->push_back(nn::Flatten());
    model->push_back(nn::Linear(512 * 7 * 7, 4096));
    model->push_back(nn::ReLU(nn::ReLUOptions(true)));
    model->push_back(nn::Dropout());
    model->push_back(nn::Linear(4096, 4096));
    model->push_back(nn::ReLU(nn::ReLUOptions(true)));
    model->push_back(nn::Dropout());
    model->push_back(nn::Linear(4096, 1000));
    return model;
}

// torchvision's BasicBlock.
struct basic_block_impl : nn::Module {
    basic_block_impl(long in, long out, long stride)
        : conv1(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)),
          bn1(out),
          conv2(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)),
          bn2(out) {
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        if (stride != 1 || in != out) {
            downsample = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                                        nn::BatchNorm2d(out));
            register_module("downsample", downsample);
        }
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto y = torch::relu(bn1(conv1(x)));
        y = bn2(conv2(y));
        y += downsample ? downsample->forward(x) : x;
        return torch::relu(y);
    }
    nn::Conv2d conv1;
    nn::BatchNorm2d bn1;
    nn::Conv2d conv2;
    nn::BatchNorm2d bn2;
    nn::Sequential downsample{nullptr};
};
TORCH_MODULE_IMPL(basic_block, basic_block_impl);

inline nn::Sequential torch_resnet18() {
    nn::Sequential model;
    model->push_back(nn::Conv2d(nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
    model->push_back(nn::BatchNorm2d(64));
    model->push_back(nn::ReLU(nn::ReLUOptions(true)));
    model->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
    long in = 64;
    const long widths[] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage) {
        for (int block = 0; block < 2; ++block) {
            model->push_back(basic_block(in, widths[stage], stage > 0 && block == 0 ? 2 : 1));
            in = widths[stage];
        }
    }
    model->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})));
    model->push_back(nn::Flatten());
    model->push_back(nn::Linear(512, 1000));
    return model;
}

}  // namespace xddp::bench
#endif
