#ifndef ODIMO_CHDF5_SHIM_H
#define ODIMO_CHDF5_SHIM_H
#include <hdf5.h>
#include <fcntl.h>

// HDF5's type, property-list and flag macros expand to `_g` globals that Swift cannot
// import safely under strict concurrency; these accessors expose them as functions.
static inline hid_t odimo_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t odimo_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t odimo_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t odimo_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t odimo_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t odimo_h5t_c_s1(void) { return H5T_C_S1; }
static inline size_t odimo_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t odimo_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t odimo_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t odimo_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline hid_t odimo_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t odimo_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t odimo_h5s_all(void) { return H5S_ALL; }
static inline hsize_t odimo_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline hid_t odimo_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned odimo_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned odimo_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned odimo_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned odimo_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned odimo_h5f_obj_all(void) { return H5F_OBJ_ALL; }

// HDF5 opens files without O_CLOEXEC; a child process started while a file is open
// (git for provenance, sbatch, a test's `odimo`) would inherit the descriptor (and,
// with HDF5's file locking, which odimo turns off, the lock). Returns 0, or -1 when the
// descriptor could not be reached (a driver other than sec2) or fcntl failed.
static inline int odimo_h5f_close_on_exec(hid_t file) {
  void *handle = NULL;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == NULL) return -1;
  int fd = *(int *)handle;
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return -1;
  return fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0 ? -1 : 0;
}
#endif
