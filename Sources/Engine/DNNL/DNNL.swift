import CDNNL
import Foundation

/// A failure inside the training engine: a oneDNN call that refused, or a model,
/// tensor or checkpoint that does not fit.

/// Throws unless `status` is success, naming the oneDNN call.
@inline(__always)
func check(_ status: dnnl_status_t, _ call: @autoclosure () -> String) throws {
  guard status == dnnl_success else { throw EngineError.oneDNN(call: call(), status: Int(status.rawValue)) }
}

/// The CPU engine and stream every primitive runs on (oneDNN threads with OpenMP).
final class DNNLContext: @unchecked Sendable {
  static let shared = DNNLContext()
  let engine: dnnl_engine_t
  let stream: dnnl_stream_t

  private init() {
    var engine: dnnl_engine_t?
    var stream: dnnl_stream_t?
    guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine,
      dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, let stream
    else { fatalError("oneDNN: no CPU engine (is libdnnl installed?)") }
    self.engine = engine
    self.stream = stream
  }

  /// Waits for every submitted primitive to finish.
  func wait() { dnnl_stream_wait(stream) }
}

/// A oneDNN memory descriptor: logical dimensions plus the physical layout.
struct MemoryDescriptor: Equatable, @unchecked Sendable {
  var raw: dnnl_memory_desc_t

  init(raw: dnnl_memory_desc_t) { self.raw = raw }

  /// A descriptor of `dims` in layout `tag` (`dnnl_format_tag_any` lets a primitive
  /// choose), float32 unless `type` says otherwise.
  init(_ dims: [Int], _ tag: dnnl_format_tag_t, type: dnnl_data_type_t = dnnl_f32) {
    var raw = dnnl_memory_desc_t()
    let sizes = dims.map { Int64($0) }
    let status = odimo_md_init(&raw, Int32(dims.count), sizes, type, tag)
    precondition(status == dnnl_success, "oneDNN memory descriptor \(dims) \(tag) refused")
    self.raw = raw
  }

  /// The plain row-major layout for a rank: a, ab, abc, abcd (nchw), abcde.
  static func plain(_ dims: [Int]) -> MemoryDescriptor {
    let tags: [dnnl_format_tag_t] = [dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde]
    return MemoryDescriptor(dims, tags[dims.count - 1])
  }

  /// Logical dimensions.
  var dims: [Int] {
    withUnsafePointer(to: raw) { pointer in
      (0..<Int(odimo_md_ndims(pointer))).map { Int(odimo_md_dim(pointer, Int32($0))) }
    }
  }

  /// Bytes the layout needs (including any channel padding of blocked layouts).
  var byteCount: Int { withUnsafePointer(to: raw) { dnnl_memory_desc_get_size($0) } }

  static func == (a: MemoryDescriptor, b: MemoryDescriptor) -> Bool {
    withUnsafePointer(to: a.raw) { x in withUnsafePointer(to: b.raw) { y in dnnl_memory_desc_equal(x, y) != 0 } }
  }

  /// A key identifying the layout exactly (for caches).
  var key: Data { withUnsafeBytes(of: raw) { Data($0) } }
}

extension MemoryDescriptor {
  /// b for a float layout whose memory order is [n][⌈C/b⌉][spatial][b]: plain (b = 1),
  /// nChw8c / nChw16c (b = 8 / 16, channels padded to whole blocks with zeros) and nhwc
  /// (one block of all C); nil for any other layout.
  var channelBlock: Int? {
    let dims = self.dims
    if self == .plain(dims) { return 1 }
    guard dims.count == 4 else { return nil }
    if self == MemoryDescriptor(dims, dnnl_acdb) { return dims[1] }
    for (tag, size) in [(dnnl_aBcd16b, 16), (dnnl_aBcd8b, 8)] where self == MemoryDescriptor(dims, tag) { return size }
    return nil
  }
}

/// A float32 tensor in a oneDNN layout, backed by a 64-byte-aligned buffer it owns.
/// A reference type: tensors are large, and layers hand the same buffer along.
package final class Tensor {
  let descriptor: MemoryDescriptor
  let memory: dnnl_memory_t
  let storage: UnsafeMutableRawPointer
  let byteCount: Int
  /// When set, every value is an integer multiple k·grid of this step with |k| ≤ 255, so k
  /// is exact in bfloat16 (8 significant bits): set by the PACT quantizer on its output.
  /// A kernel that changes values writes a new tensor, which starts without a grid.
  var grid: Float?

  /// A tensor of layout `descriptor`. Its contents are undefined unless `zeroed`:
  /// primitives overwrite their outputs, so only accumulators need zeros.
  init(_ descriptor: MemoryDescriptor, zeroed: Bool = false) {
    self.descriptor = descriptor
    byteCount = max(64, descriptor.byteCount)
    let pointer = BufferPool.shared.take(byteCount)
    if zeroed { memset(pointer, 0, byteCount) }
    storage = pointer
    var memory: dnnl_memory_t?
    var raw = descriptor.raw
    guard dnnl_memory_create(&memory, &raw, DNNLContext.shared.engine, pointer) == dnnl_success, let memory else {
      fatalError("oneDNN refused a memory object")
    }
    self.memory = memory
  }

  /// A plain (row-major) tensor of `dims` holding `values`.
  package convenience init(dims: [Int], values: [Float]) {
    self.init(MemoryDescriptor.plain(dims))
    precondition(values.count == elementCount, "tensor \(dims) needs \(elementCount) values, got \(values.count)")
    values.withUnsafeBufferPointer { storage.copyMemory(from: $0.baseAddress!, byteCount: values.count * 4) }
  }

  /// A plain tensor of zeros.
  package convenience init(zeros dims: [Int]) { self.init(MemoryDescriptor.plain(dims), zeroed: true) }

  deinit {
    dnnl_memory_destroy(memory)
    BufferPool.shared.give(storage, byteCount)
  }

  /// Logical dimensions.
  package var dims: [Int] { descriptor.dims }
  /// Logical element count.
  package var elementCount: Int { dims.reduce(1, *) }
  /// The physical buffer as floats (padding included for blocked layouts). For plain
  /// tensors — every `Parameter` — element i is the i-th value in row-major order.
  package var buffer: UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(start: storage.assumingMemoryBound(to: Float.self), count: byteCount / 4)
  }

  /// Whether the layout is plain row-major.
  var isPlain: Bool { descriptor == MemoryDescriptor.plain(dims) }

  /// The values in plain row-major order.
  package func values() -> [Float] {
    let plain = isPlain ? self : reordered(to: .plain(dims))
    return Array(UnsafeBufferPointer(start: plain.storage.assumingMemoryBound(to: Float.self), count: elementCount))
  }

  /// A copy in layout `target` (self if already in it).
  func reordered(to target: MemoryDescriptor) -> Tensor {
    if descriptor == target { return self }
    let output = Tensor(target)
    Reorders.shared.run(from: self, to: output)
    return output
  }
}

/// A primitive with its descriptor, created once and executed many times.
final class Primitive: @unchecked Sendable {
  let descriptor: dnnl_primitive_desc_t
  let primitive: dnnl_primitive_t

  /// Creates a primitive from an operation descriptor (`op` points to a dnnl_*_desc_t).
  init(_ op: UnsafeRawPointer, hint: Primitive? = nil, attributes: dnnl_primitive_attr_t? = nil, name: String) throws {
    var pd: dnnl_primitive_desc_t?
    try check(
      dnnl_primitive_desc_create(&pd, op, attributes, DNNLContext.shared.engine, hint?.descriptor), "\(name) descriptor"
    )
    guard let pd else { throw EngineError.oneDNN(call: "\(name): no primitive descriptor", status: -1) }
    var primitive: dnnl_primitive_t?
    try check(dnnl_primitive_create(&primitive, pd), "\(name) primitive")
    guard let primitive else { throw EngineError.oneDNN(call: "\(name): no primitive", status: -1) }
    descriptor = pd
    self.primitive = primitive
  }

  /// Creates a primitive from an existing primitive descriptor (reorders).
  init(descriptor pd: dnnl_primitive_desc_t, name: String) throws {
    var primitive: dnnl_primitive_t?
    try check(dnnl_primitive_create(&primitive, pd), "\(name) primitive")
    guard let primitive else { throw EngineError.oneDNN(call: "\(name): no primitive", status: -1) }
    descriptor = pd
    self.primitive = primitive
  }

  deinit {
    dnnl_primitive_destroy(primitive)
    dnnl_primitive_desc_destroy(descriptor)
  }

  /// The name of the implementation oneDNN chose ("jit:avx512_core", "gemm:jit", …).
  var implementation: String {
    var name: UnsafePointer<CChar>?
    guard dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else {
      return ""
    }
    return String(cString: name)
  }

  /// The memory descriptor the primitive chose for `query` (src, dst, weights, …).
  func md(_ query: dnnl_query_t, _ index: Int32 = 0) -> MemoryDescriptor {
    guard let pointer = odimo_query_md(descriptor, query, index) else {
      return MemoryDescriptor(raw: dnnl_memory_desc_t())
    }
    return MemoryDescriptor(raw: pointer.pointee)
  }

  /// Runs the primitive on `arguments` (DNNL_ARG_* → tensor) and waits for it.
  func execute(_ arguments: [(Int32, Tensor)]) {
    let args = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.memory) }
    let status = args.withUnsafeBufferPointer {
      dnnl_primitive_execute(primitive, DNNLContext.shared.stream, Int32($0.count), $0.baseAddress)
    }
    if status != dnnl_success {
      // Name the arguments whose layout differs from what the primitive expects.
      let mismatched = arguments.filter { argument, tensor in
        md(dnnl_query_exec_arg_md, argument) != tensor.descriptor
      }.map { "arg \($0.0) dims \($0.1.dims)" }
      let given = Set(arguments.map(\.0))
      let missing = (1...300).map(Int32.init).filter {
        !given.contains($0) && md(dnnl_query_exec_arg_md, $0).byteCount > 0
      }
      preconditionFailure(
        "oneDNN execute failed (status \(status.rawValue)); mismatched: \(mismatched), missing args: \(missing)")
    }
    DNNLContext.shared.wait()
  }
}

/// Reorder primitives between layouts, cached by (source, target) layout.
final class Reorders: @unchecked Sendable {
  static let shared = Reorders()
  private var cache: [Data: Primitive] = [:]
  private let lock = NSLock()

  /// target = source (× `scale`, rounded to the target's type, when given).
  func run(from source: Tensor, to target: Tensor, scale: Float? = nil) {
    let key = source.descriptor.key + target.descriptor.key + (scale == nil ? Data() : Data([1]))
    lock.lock()
    let primitive: Primitive
    if let cached = cache[key] {
      primitive = cached
    } else {
      var pd: dnnl_primitive_desc_t?
      var src = source.descriptor.raw
      var dst = target.descriptor.raw
      let engine = DNNLContext.shared.engine
      var attributes: dnnl_primitive_attr_t?
      if scale != nil {
        dnnl_primitive_attr_create(&attributes)
        var runtime = odimo_runtime_f32()
        dnnl_primitive_attr_set_output_scales(attributes, 1, 0, &runtime)
      }
      defer { if let attributes { dnnl_primitive_attr_destroy(attributes) } }
      guard dnnl_reorder_primitive_desc_create(&pd, &src, engine, &dst, engine, attributes) == dnnl_success, let pd,
        let made = try? Primitive(descriptor: pd, name: "reorder")
      else { fatalError("oneDNN cannot reorder \(source.dims) between these layouts") }
      cache[key] = made
      primitive = made
    }
    lock.unlock()
    var arguments = [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, target)]
    if let scale { arguments.append((DNNL_ARG_ATTR_OUTPUT_SCALES, Tensor(dims: [1], values: [scale]))) }
    primitive.execute(arguments)
  }
}

/// Recycles tensor buffers by size. A training step allocates the same activations
/// every time; fresh allocations of that size come from mmap, and touching their pages
/// costs more than the elementwise layers themselves. Buffers are 64-byte aligned; at
/// most `limitBytes` are kept idle.
final class BufferPool: @unchecked Sendable {
  static let shared = BufferPool()
  private var idle: [Int: [UnsafeMutableRawPointer]] = [:]
  private var idleBytes = 0
  private let limitBytes = 4 << 30
  private let lock = NSLock()

  func take(_ byteCount: Int) -> UnsafeMutableRawPointer {
    lock.lock()
    if let pointer = idle[byteCount]?.popLast() {
      idleBytes -= byteCount
      lock.unlock()
      return pointer
    }
    lock.unlock()
    var pointer: UnsafeMutableRawPointer?
    guard posix_memalign(&pointer, 64, byteCount) == 0, let pointer else {
      fatalError("out of memory for a tensor of \(byteCount) bytes")
    }
    return pointer
  }

  func give(_ pointer: UnsafeMutableRawPointer, _ byteCount: Int) {
    lock.lock()
    defer { lock.unlock() }
    guard idleBytes + byteCount <= limitBytes else {
      free(pointer)
      return
    }
    idle[byteCount, default: []].append(pointer)
    idleBytes += byteCount
  }
}
