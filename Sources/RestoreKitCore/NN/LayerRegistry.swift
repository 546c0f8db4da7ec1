/// The layer types the engine runs, by their ncnn type strings.
enum LayerRegistry {
    static let types: [String: any Layer.Type] = [
        "BinaryOp": BinaryOpLayer.self,
        "Clip": ClipLayer.self,
        "Concat": ConcatLayer.self,
        "Convolution": ConvolutionLayer.self,
        "ConvolutionDepthWise": ConvolutionDepthWiseLayer.self,
        "Crop": CropLayer.self,
        "Deconvolution": DeconvolutionLayer.self,
        "Eltwise": EltwiseLayer.self,
        "Interp": InterpLayer.self,
        "Padding": PaddingLayer.self,
        "PixelShuffle": PixelShuffleLayer.self,
        "PReLU": PReLULayer.self,
        "ReLU": ReLULayer.self,
        "Sigmoid": SigmoidLayer.self,
        "Split": SplitLayer.self,
    ]
}
