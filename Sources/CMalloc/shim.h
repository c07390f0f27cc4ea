// glibc's mallopt (the executable keeps freed training buffers in the heap); Linux only.
#if defined(__linux__)
#include <malloc.h>
#endif
