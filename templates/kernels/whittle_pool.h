/*
 * whittle_pool.h - the parameters of the pooling kernels (maxpool_s8.c, avgpool_s8.c), which
 * take the same window over the same shapes.
 */
#ifndef WHITTLE_POOL_H
#define WHITTLE_POOL_H

#include "whittle_kernel.h"

typedef struct {
    int in_h, in_w, channels;     /* the output has the same channels */
    int out_h, out_w;
    int k_h, k_w;
    int stride_h, stride_w;
    int pad_top, pad_left;
    int32_t act_min, act_max;
} whittle_pool_params;

#endif /* WHITTLE_POOL_H */
