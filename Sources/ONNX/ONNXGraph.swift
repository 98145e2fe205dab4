import Foundation
import SwiftProtobuf

/// An ONNX node attribute.
package enum ONNXAttribute: Sendable {
  case int(String, Int)
  case ints(String, [Int])
  case float(String, Float)
  case string(String, String)

  var proto: Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    switch self {
    case .int(let name, let value):
      attribute.name = name
      attribute.type = .int
      attribute.i = Int64(value)
    case .ints(let name, let values):
      attribute.name = name
      attribute.type = .ints
      attribute.ints = values.map(Int64.init)
    case .float(let name, let value):
      attribute.name = name
      attribute.type = .float
      attribute.f = value
    case .string(let name, let value):
      attribute.name = name
      attribute.type = .string
      attribute.s = Data(value.utf8)
    }
    return attribute
  }
}

/// Element types of the tensors odimo stores in a graph (ONNX's `TensorProto.DataType` codes).
package enum ONNXElement: Int32, Sendable {
  case float = 1
  case uint8 = 2
  case int8 = 3
  case int64 = 7
}

/// Builds an ONNX graph node by node (names unique, initializers little-endian raw data)
/// and serialises it as a model; knows nothing about odimo's networks.
package struct ONNXGraph {
  package private(set) var nodes: [Onnx_NodeProto] = []
  private var initializers: [Onnx_TensorProto] = []
  private var used: Set<String> = []

  package init() {}

  /// `base`, or `base` with the first free "_k" suffix: a name no value or node has yet.
  package mutating func unique(_ base: String) -> String {
    var name = base
    var suffix = 1
    while used.contains(name) {
      name = "\(base)_\(suffix)"
      suffix += 1
    }
    used.insert(name)
    return name
  }

  /// Adds a constant tensor; returns its (unique) name.
  package mutating func constant(_ name: String, _ values: [Float], shape: [Int]) -> String {
    constant(name, .float, bytes: values.withUnsafeBytes { Data($0) }, shape: shape)
  }

  package mutating func constant(_ name: String, _ values: [Int8], shape: [Int]) -> String {
    constant(name, .int8, bytes: values.withUnsafeBytes { Data($0) }, shape: shape)
  }

  package mutating func constant(_ name: String, _ values: [UInt8], shape: [Int]) -> String {
    constant(name, .uint8, bytes: values.withUnsafeBytes { Data($0) }, shape: shape)
  }

  package mutating func constant(_ name: String, _ values: [Int64], shape: [Int]) -> String {
    constant(name, .int64, bytes: values.withUnsafeBytes { Data($0) }, shape: shape)
  }

  private mutating func constant(_ name: String, _ element: ONNXElement, bytes: Data, shape: [Int]) -> String {
    var tensor = Onnx_TensorProto()
    tensor.name = unique(name)
    tensor.dataType = element.rawValue
    tensor.dims = shape.map(Int64.init)
    // ONNX raw data is little-endian, as every machine odimo runs on stores it.
    tensor.rawData = bytes
    initializers.append(tensor)
    return tensor.name
  }

  /// Adds a node computing `operation` of `inputs` (an empty string skips an optional
  /// input); returns its output's name (`output`, made unique).
  @discardableResult
  package mutating func node(
    _ operation: String, _ inputs: [String], output: String, attributes: [ONNXAttribute] = [],
    metadata: [(String, String)] = []
  ) -> String {
    var node = Onnx_NodeProto()
    node.opType = operation
    node.input = inputs
    let name = unique(output)
    node.output = [name]
    node.name = name
    node.attribute = attributes.map(\.proto)
    node.metadataProps = metadata.map { key, value in
      var entry = Onnx_StringStringEntryProto()
      entry.key = key
      entry.value = value
      return entry
    }
    nodes.append(node)
    return name
  }

  /// A float tensor's type with a symbolic batch dimension "N" first.
  private static func batchedFloat(_ name: String, _ shape: [Int]) -> Onnx_ValueInfoProto {
    var value = Onnx_ValueInfoProto()
    value.name = name
    var tensor = Onnx_TypeProto.Tensor()
    tensor.elemType = ONNXElement.float.rawValue
    var batch = Onnx_TensorShapeProto.Dimension()
    batch.dimParam = "N"
    tensor.shape.dim =
      [batch]
      + shape.map { extent in
        var dimension = Onnx_TensorShapeProto.Dimension()
        dimension.dimValue = Int64(extent)
        return dimension
      }
    value.type.tensorType = tensor
    return value
  }

  /// The model: opset `opset` of the default domain, IR version 10 (node metadata),
  /// one float input and one float output with a free batch dimension.
  package func model(
    name: String, input: (name: String, shape: [Int]), output: (name: String, shape: [Int]), opset: Int,
    producerVersion: String, metadata: [(String, String)], documentation: String
  ) -> Onnx_ModelProto {
    var graph = Onnx_GraphProto()
    graph.name = name
    graph.node = nodes
    graph.initializer = initializers
    graph.input = [Self.batchedFloat(input.name, input.shape)]
    graph.output = [Self.batchedFloat(output.name, output.shape)]
    var model = Onnx_ModelProto()
    model.irVersion = 10
    var operators = Onnx_OperatorSetIdProto()
    operators.domain = ""
    operators.version = Int64(opset)
    model.opsetImport = [operators]
    model.producerName = "odimo"
    model.producerVersion = producerVersion
    model.docString = documentation
    model.graph = graph
    model.metadataProps = metadata.map { key, value in
      var entry = Onnx_StringStringEntryProto()
      entry.key = key
      entry.value = value
      return entry
    }
    return model
  }
}
