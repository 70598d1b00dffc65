import sys
import mindspore
from mindspore import nn
from mindspore.nn import Cell
from mindspore.ops import functional as F
#
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/ops/auto_generate')
from mindspore.ops.auto_generate.gen_ops_prim import *
from mindspore.ops.auto_generate.pyboost_inner_prim import *
from mindspore.ops.operations.manually_defined.ops_def import *

def cat(tensors, axis=0):
    concat_impl_var = concat_impl(tensors, axis)
    return concat_impl_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/ops/function')

def concat_opt(tensors, axis=0):
    cat_var = cat(tensors, axis)
    return cat_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')
from mindspore.nn.cell import Cell
from mindspore.nn.layer.conv import _Conv

class _ConvOpt(_Conv, Cell):

    def __init__(self):
        Cell.__init__(self)
        for key, value in _Conv.__dict__.items():
            if not key.startswith('__'):
                setattr(_ConvOpt, key, value)
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')
from mindspore.nn.layer.normalization import _BatchNorm

class _BatchNormOpt(_BatchNorm, Cell):

    def __init__(self):
        Cell.__init__(self)
        for key, value in _BatchNorm.__dict__.items():
            if not key.startswith('__'):
                setattr(_BatchNormOpt, key, value)
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

def _deconv_output_length(is_valid, is_same, is_pad, input_length, filter_size, stride_size, dilation_size, padding):
    length = 0
    sub_var_1 = dilation_size - 1
    sub_var = filter_size - 1
    mult_var = sub_var * sub_var_1
    filter_size = filter_size + mult_var
    if is_valid:
        sub_var_2 = filter_size - stride_size
        compare_var = sub_var_2 > 0
        if compare_var:
            mult_var_1 = input_length * stride_size
            add_var = mult_var_1 + filter_size
            length = add_var - stride_size
        else:
            length = input_length * stride_size
    elif is_same:
        length = input_length * stride_size
    elif is_pad:
        mult_var_2 = input_length * stride_size
        sub_var_3 = mult_var_2 - padding
        add_var_2 = sub_var_3 + filter_size
        length = add_var_2 - stride_size
    return length
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')
from mindspore.nn.layer.activation import Tanh

class TanhOpt(Tanh, Cell):

    def __init__(self, obj):
        Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, x):
        tanh_var = self.tanh(x)
        return tanh_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')
from mindspore import ops
from mindspore.nn.layer.conv import Conv2dTranspose
from mindspore.train.amp import amp_cast

class Conv2dTransposeOpt(Conv2dTranspose, _ConvOpt):

    def __init__(self, obj):
        _ConvOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def shard(self, strategy):
        self.conv2d_transpose.shard(strategy)
        return self

    def construct(self, x):
        x_var = amp_cast(x, mindspore.float16)
        n, _, h, w = self.shape(x_var)
        w = amp_cast(w, mindspore.float32)
        h = amp_cast(h, mindspore.float32)
        _ = amp_cast(_, mindspore.float32)
        n = amp_cast(n, mindspore.float32)
        add_var_1 = self.padding_top + self.padding_bottom
        subscript_var_9 = self.dilation[0]
        subscript_var_8 = self.stride[0]
        subscript_var_7 = self.kernel_size[0]
        h_out = _deconv_output_length(self.is_valid, self.is_same, self.is_pad, h, subscript_var_7, subscript_var_8, subscript_var_9, add_var_1)
        add_var = self.padding_left + self.padding_right
        subscript_var_6 = self.dilation[1]
        subscript_var_5 = self.stride[1]
        subscript_var_4 = self.kernel_size[1]
        w_out = _deconv_output_length(self.is_valid, self.is_same, self.is_pad, w, subscript_var_4, subscript_var_5, subscript_var_6, add_var)
        tuple_var_5 = (n, self.out_channels, h_out, w_out)
        x_var_1 = amp_cast(x, mindspore.float16)
        weight_var = amp_cast(self.weight, mindspore.float16)
        tuple_var_5 = amp_cast(tuple_var_5, mindspore.float16)
        conv2d_trans_ret = self.conv2d_transpose(x_var_1, weight_var, tuple_var_5)
        conv2d_trans_ret = amp_cast(conv2d_trans_ret, mindspore.float32)
        if self.has_bias:
            conv2d_trans_ret_var_1 = amp_cast(conv2d_trans_ret, mindspore.float16)
            bias_var = amp_cast(self.bias, mindspore.float16)
            conv2d_trans_ret = self.bias_add(conv2d_trans_ret_var_1, bias_var)
            conv2d_trans_ret = amp_cast(conv2d_trans_ret, mindspore.float32)
        isinstance_var = isinstance(self.output_padding, tuple)
        if isinstance_var:
            subscript_var_4_6 = self.stride[0]
            subscript_var_4_5 = self.dilation[0]
            max_var_1 = max(subscript_var_4_5, subscript_var_4_6)
            subscript_var_4_4 = self.output_padding[0]
            compare_var_4 = subscript_var_4_4 >= max_var_1
            subscript_var_4_3 = self.output_padding[0]
            compare_var_3 = subscript_var_4_3 < 0
            or_var_1 = compare_var_3 or compare_var_4
            if or_var_1:
                raise ValueError('output_padding[0] must be in range of [0, max(stride_h, dilation_h)).')
            subscript_var_4_2 = self.stride[1]
            subscript_var_4_1 = self.dilation[1]
            max_var = max(subscript_var_4_1, subscript_var_4_2)
            subscript_var_3 = self.output_padding[1]
            compare_var_2 = subscript_var_3 >= max_var
            subscript_var_2 = self.output_padding[1]
            compare_var_1 = subscript_var_2 < 0
            or_var = compare_var_1 or compare_var_2
            if or_var:
                raise ValueError('output_padding[1] must be in range of [0, max(stride_w, dilation_w)).')
            not_var = not self.is_pad
            and_var = not_var and (self.output_padding[0] > 0 or self.output_padding[1] > 0)
            if and_var:
                raise ValueError("when output_padding is not zero, pad_mode must be 'pad'")
            subscript_var_1 = self.output_padding[1]
            tuple_var_4 = (0, subscript_var_1)
            subscript_var = self.output_padding[0]
            tuple_var_3 = (0, subscript_var)
            tuple_var_2 = (0, 0)
            tuple_var_1 = (0, 0)
            tuple_var = (tuple_var_1, tuple_var_2, tuple_var_3, tuple_var_4)
            pad = ops.Pad(paddings=tuple_var)
            conv2d_trans_ret_var = amp_cast(conv2d_trans_ret, mindspore.float16)
            pad_var = pad(conv2d_trans_ret_var)
            pad_var = amp_cast(pad_var, mindspore.float32)
            return pad_var
        compare_var_4 = self.output_padding == 0
        if compare_var_4:
            return conv2d_trans_ret
        subscript_var_3 = self.stride[0]
        subscript_var_2 = self.dilation[0]
        max_var_1 = max(subscript_var_2, subscript_var_3)
        compare_var_3 = self.output_padding >= max_var_1
        compare_var_2 = self.output_padding < 0
        or_var_1 = compare_var_2 or compare_var_3
        if or_var_1:
            raise ValueError('output_padding must be in range of [0, max(stride_h, dilation_h)).')
        subscript_var_1 = self.stride[1]
        subscript_var = self.dilation[1]
        max_var = max(subscript_var, subscript_var_1)
        compare_var_1 = self.output_padding >= max_var
        compare_var = self.output_padding < 0
        or_var = compare_var or compare_var_1
        if or_var:
            raise ValueError('output_padding must be in range of [0, max(stride_w, dilation_w)).')
        not_var = not self.is_pad
        and_var = not_var and self.output_padding > 0
        if and_var:
            raise ValueError("when output_padding is not zero, pad_mode must be 'pad'")
        tuple_var_4 = (0, self.output_padding)
        tuple_var_3 = (0, self.output_padding)
        tuple_var_2 = (0, 0)
        tuple_var_1 = (0, 0)
        tuple_var = (tuple_var_1, tuple_var_2, tuple_var_3, tuple_var_4)
        pad = ops.Pad(paddings=tuple_var)
        conv2d_trans_ret = amp_cast(conv2d_trans_ret, mindspore.float16)
        pad_var = pad(conv2d_trans_ret)
        pad_var = amp_cast(pad_var, mindspore.float32)
        return pad_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')
from mindspore.nn.layer.activation import ReLU

class ReLUOpt_5(ReLU, Cell):

    def __init__(self, obj):
        Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, input):
        input = amp_cast(input, mindspore.float16)
        relu_var = self.relu(input)
        relu_var = amp_cast(relu_var, mindspore.float32)
        return relu_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')
from mindspore.nn.layer.conv import Conv2d

class Conv2dOpt_5(Conv2d, _ConvOpt):

    def __init__(self, obj):
        _ConvOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, x):
        x = amp_cast(x, mindspore.float16)
        weight_var = amp_cast(self.weight, mindspore.float16)
        output = self.conv2d(x, weight_var)
        output = amp_cast(output, mindspore.float32)
        if self.has_bias:
            output_var = amp_cast(output, mindspore.float16)
            bias_var = amp_cast(self.bias, mindspore.float16)
            output = self.bias_add(output_var, bias_var)
            output = amp_cast(output, mindspore.float32)
        return output
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class ReLUOpt_4(ReLU, Cell):

    def __init__(self, obj):
        Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, input):
        input = amp_cast(input, mindspore.float16)
        relu_var = self.relu(input)
        relu_var = amp_cast(relu_var, mindspore.float32)
        return relu_var
#
sys.path.insert(0, '/work/main/src/models')
from src.models.activation import LeakyReLU

class LeakyReLUOpt_4(LeakyReLU, nn.Cell):

    def __init__(self, obj):
        nn.Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)
        self.relu = ReLUOpt_4(self.relu)

    def construct(self, x):
        relu_var = self.relu(x)
        sub_var = 1.0 - self.slope
        mult_var_1 = sub_var * relu_var
        mult_var = self.slope * x
        add_var = mult_var + mult_var_1
        return add_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class Conv2dOpt_4(Conv2d, _ConvOpt):

    def __init__(self, obj):
        _ConvOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, x):
        x = amp_cast(x, mindspore.float16)
        weight_var = amp_cast(self.weight, mindspore.float16)
        output = self.conv2d(x, weight_var)
        output = amp_cast(output, mindspore.float32)
        if self.has_bias:
            output_var = amp_cast(output, mindspore.float16)
            bias_var = amp_cast(self.bias, mindspore.float16)
            output = self.bias_add(output_var, bias_var)
            output = amp_cast(output, mindspore.float32)
        return output
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class ReLUOpt_3(ReLU, Cell):

    def __init__(self, obj):
        Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, input):
        input = amp_cast(input, mindspore.float16)
        relu_var = self.relu(input)
        relu_var = amp_cast(relu_var, mindspore.float32)
        return relu_var
#
sys.path.insert(0, '/work/main/src/models')

class LeakyReLUOpt_3(LeakyReLU, nn.Cell):

    def __init__(self, obj):
        nn.Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)
        self.relu = ReLUOpt_3(self.relu)

    def construct(self, x):
        relu_var = self.relu(x)
        sub_var = 1.0 - self.slope
        mult_var_1 = sub_var * relu_var
        mult_var = self.slope * x
        add_var = mult_var + mult_var_1
        return add_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class Conv2dOpt_3(Conv2d, _ConvOpt):

    def __init__(self, obj):
        _ConvOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, x):
        x = amp_cast(x, mindspore.float16)
        weight_var = amp_cast(self.weight, mindspore.float16)
        output = self.conv2d(x, weight_var)
        output = amp_cast(output, mindspore.float32)
        if self.has_bias:
            output_var = amp_cast(output, mindspore.float16)
            bias_var = amp_cast(self.bias, mindspore.float16)
            output = self.bias_add(output_var, bias_var)
            output = amp_cast(output, mindspore.float32)
        return output
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class ReLUOpt_2(ReLU, Cell):

    def __init__(self, obj):
        Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, input):
        input = amp_cast(input, mindspore.float16)
        relu_var = self.relu(input)
        relu_var = amp_cast(relu_var, mindspore.float32)
        return relu_var
#
sys.path.insert(0, '/work/main/src/models')

class LeakyReLUOpt_2(LeakyReLU, nn.Cell):

    def __init__(self, obj):
        nn.Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)
        self.relu = ReLUOpt_2(self.relu)

    def construct(self, x):
        relu_var = self.relu(x)
        sub_var = 1.0 - self.slope
        mult_var_1 = sub_var * relu_var
        mult_var = self.slope * x
        add_var = mult_var + mult_var_1
        return add_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class Conv2dOpt_2(Conv2d, _ConvOpt):

    def __init__(self, obj):
        _ConvOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, x):
        x = amp_cast(x, mindspore.float16)
        weight_var = amp_cast(self.weight, mindspore.float16)
        output = self.conv2d(x, weight_var)
        output = amp_cast(output, mindspore.float32)
        if self.has_bias:
            output_var = amp_cast(output, mindspore.float16)
            bias_var = amp_cast(self.bias, mindspore.float16)
            output = self.bias_add(output_var, bias_var)
            output = amp_cast(output, mindspore.float32)
        return output
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class ReLUOpt_1(ReLU, Cell):

    def __init__(self, obj):
        Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, input):
        input = amp_cast(input, mindspore.float16)
        relu_var = self.relu(input)
        relu_var = amp_cast(relu_var, mindspore.float32)
        return relu_var
#
sys.path.insert(0, '/work/main/src/models')

class LeakyReLUOpt_1(LeakyReLU, nn.Cell):

    def __init__(self, obj):
        nn.Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)
        self.relu = ReLUOpt_1(self.relu)

    def construct(self, x):
        relu_var = self.relu(x)
        sub_var = 1.0 - self.slope
        mult_var_1 = sub_var * relu_var
        mult_var = self.slope * x
        add_var = mult_var + mult_var_1
        return add_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')
from mindspore.ops.primitive import _primexpr
from mindspore.nn.layer.normalization import BatchNorm2d

class BatchNorm2dOpt(BatchNorm2d, _BatchNormOpt):

    def __init__(self, obj):
        _BatchNormOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)
        self._check_input_dim = obj.__class__._check_input_dim

    @staticmethod
    @_primexpr
    def _check_input_dim(shape, cls_name):
        dim = len(shape)
        _check_dim(dim, 4, cls_name)
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class Conv2dOpt_1(Conv2d, _ConvOpt):

    def __init__(self, obj):
        _ConvOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, x):
        x = amp_cast(x, mindspore.float16)
        weight_var = amp_cast(self.weight, mindspore.float16)
        output = self.conv2d(x, weight_var)
        output = amp_cast(output, mindspore.float32)
        if self.has_bias:
            output_var = amp_cast(output, mindspore.float16)
            bias_var = amp_cast(self.bias, mindspore.float16)
            output = self.bias_add(output_var, bias_var)
            output = amp_cast(output, mindspore.float32)
        return output
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class ReLUOpt(ReLU, Cell):

    def __init__(self, obj):
        Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, input):
        input = amp_cast(input, mindspore.float16)
        relu_var = self.relu(input)
        relu_var = amp_cast(relu_var, mindspore.float32)
        return relu_var
#
sys.path.insert(0, '/work/main/src/models')

class LeakyReLUOpt(LeakyReLU, nn.Cell):

    def __init__(self, obj):
        nn.Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)
        self.relu = ReLUOpt(self.relu)

    def construct(self, x):
        relu_var = self.relu(x)
        sub_var = 1.0 - self.slope
        mult_var_1 = sub_var * relu_var
        mult_var = self.slope * x
        add_var = mult_var + mult_var_1
        return add_var
#
sys.path.insert(0, '/tmp/v2/lib/python3.11/site-packages/mindspore/nn/layer')

class Conv2dOpt(Conv2d, _ConvOpt):

    def __init__(self, obj):
        _ConvOpt.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)

    def construct(self, x):
        x = amp_cast(x, mindspore.float16)
        weight_var = amp_cast(self.weight, mindspore.float16)
        output = self.conv2d(x, weight_var)
        output = amp_cast(output, mindspore.float32)
        if self.has_bias:
            output_var = amp_cast(output, mindspore.float16)
            bias_var = amp_cast(self.bias, mindspore.float16)
            output = self.bias_add(output_var, bias_var)
            output = amp_cast(output, mindspore.float32)
        return output
#
sys.path.insert(0, '/work/main/src/models')
from src.models.generator_model import UnetGenerator

class UnetGeneratorOpt(UnetGenerator, nn.Cell):

    def __init__(self, obj):
        nn.Cell.__init__(self)
        for key, value in obj.__dict__.items():
            setattr(self, key, value)
        self.encoder[0][0] = Conv2dOpt(self.encoder[0][0])
        self.encoder[1][0] = LeakyReLUOpt(self.encoder[1][0])
        self.encoder[1][1] = Conv2dOpt_1(self.encoder[1][1])
        self.encoder[1][2] = BatchNorm2dOpt(self.encoder[1][2])
        self.encoder[2][0] = LeakyReLUOpt_1(self.encoder[2][0])
        self.encoder[2][1] = Conv2dOpt_2(self.encoder[2][1])
        self.encoder[2][2] = BatchNorm2dOpt(self.encoder[2][2])
        self.encoder[3][0] = LeakyReLUOpt_2(self.encoder[3][0])
        self.encoder[3][1] = Conv2dOpt_3(self.encoder[3][1])
        self.encoder[3][2] = BatchNorm2dOpt(self.encoder[3][2])
        self.encoder[4][0] = LeakyReLUOpt_3(self.encoder[4][0])
        self.encoder[4][1] = Conv2dOpt_4(self.encoder[4][1])
        self.encoder[4][2] = BatchNorm2dOpt(self.encoder[4][2])
        self.encoder[5][0] = LeakyReLUOpt_4(self.encoder[5][0])
        self.encoder[5][1] = Conv2dOpt_5(self.encoder[5][1])
        self.output_block[0] = ReLUOpt_5(self.output_block[0])
        self.output_block[1] = Conv2dTransposeOpt(self.output_block[1])
        self.output_block[2] = TanhOpt(self.output_block[2])

    def construct(self, x):
        skips = []
        self_encoder = self.encoder
        for block in self_encoder:
            x = block(x)
            skips.append(x)
        enumerate_var = enumerate(self.decoder)
        for index, block in enumerate_var:
            block_var = block(x)
            subscript_var = skips[self.num_downs - 2 - index]
            tuple_var = (subscript_var, block_var)
            x = concat_opt(tuple_var, axis=1)
        output_block_var = self.output_block(x)
        return output_block_var
#