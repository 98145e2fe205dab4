#ifndef ODIMO_CDNNL_SHIM_H
#define ODIMO_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <string.h>

// dnnl_dims_t is a fixed array that imports into Swift as a 12-tuple; these helpers take
// plain pointers and scalars instead, so the Swift side stays readable.

static inline dnnl_status_t odimo_md_init(dnnl_memory_desc_t *md, int ndims, const int64_t *dims,
                                          dnnl_data_type_t type, dnnl_format_tag_t tag) {
  dnnl_dims_t d;
  memset(d, 0, sizeof(d));
  for (int i = 0; i < ndims; ++i) d[i] = dims[i];
  return dnnl_memory_desc_init_by_tag(md, ndims, d, type, tag);
}

static inline int odimo_md_ndims(const dnnl_memory_desc_t *md) { return md->ndims; }
static inline int64_t odimo_md_dim(const dnnl_memory_desc_t *md, int i) { return md->dims[i]; }

static inline dnnl_status_t odimo_conv_forward(dnnl_convolution_desc_t *desc, dnnl_prop_kind_t prop,
    dnnl_alg_kind_t algorithm, const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *weights,
    const dnnl_memory_desc_t *bias, const dnnl_memory_desc_t *dst, int64_t stride, int64_t padding) {
  dnnl_dims_t s = {stride, stride}, p = {padding, padding};
  return dnnl_convolution_forward_desc_init(desc, prop, algorithm, src, weights, bias, dst, s, p, p);
}

static inline dnnl_status_t odimo_conv_backward_data(dnnl_convolution_desc_t *desc, dnnl_alg_kind_t algorithm,
    const dnnl_memory_desc_t *diff_src, const dnnl_memory_desc_t *weights, const dnnl_memory_desc_t *diff_dst,
    int64_t stride, int64_t padding) {
  dnnl_dims_t s = {stride, stride}, p = {padding, padding};
  return dnnl_convolution_backward_data_desc_init(desc, algorithm, diff_src, weights, diff_dst, s, p, p);
}

static inline dnnl_status_t odimo_conv_backward_weights(dnnl_convolution_desc_t *desc, dnnl_alg_kind_t algorithm,
    const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *diff_weights, const dnnl_memory_desc_t *diff_bias,
    const dnnl_memory_desc_t *diff_dst, int64_t stride, int64_t padding) {
  dnnl_dims_t s = {stride, stride}, p = {padding, padding};
  return dnnl_convolution_backward_weights_desc_init(desc, algorithm, src, diff_weights, diff_bias, diff_dst, s, p, p);
}

static inline dnnl_status_t odimo_pool_forward(dnnl_pooling_desc_t *desc, dnnl_prop_kind_t prop, dnnl_alg_kind_t alg,
    const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst, int64_t kernel_h, int64_t kernel_w,
    int64_t stride, int64_t padding) {
  dnnl_dims_t s = {stride, stride}, k = {kernel_h, kernel_w}, p = {padding, padding};
  return dnnl_pooling_forward_desc_init(desc, prop, alg, src, dst, s, k, p, p);
}

static inline dnnl_status_t odimo_pool_backward(dnnl_pooling_desc_t *desc, dnnl_alg_kind_t alg,
    const dnnl_memory_desc_t *diff_src, const dnnl_memory_desc_t *diff_dst, int64_t kernel_h, int64_t kernel_w,
    int64_t stride, int64_t padding) {
  dnnl_dims_t s = {stride, stride}, k = {kernel_h, kernel_w}, p = {padding, padding};
  return dnnl_pooling_backward_desc_init(desc, alg, diff_src, diff_dst, s, k, p, p);
}

static inline const dnnl_memory_desc_t *odimo_query_md(const_dnnl_primitive_desc_t pd, dnnl_query_t what, int index) {
  return dnnl_primitive_desc_query_md(pd, what, index);
}

// libgomp, oneDNN's own OpenMP runtime: odimo's elementwise kernels run on its thread pool, so
// they do not compete with the workers oneDNN leaves spinning after each primitive.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);

/// DNNL_RUNTIME_F32_VAL (a macro over a union, which Swift cannot import): a scale given at execution.
static inline float odimo_runtime_f32(void) { return DNNL_RUNTIME_F32_VAL; }

/// DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | argument: a post-op's operand at execution.
static inline int odimo_post_op_arg(int index, int argument) { return DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | argument; }
#endif
