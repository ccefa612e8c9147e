#ifndef SWIFTLENS_CLINEARALGEBRA_H
#define SWIFTLENS_CLINEARALGEBRA_H
#include <cblas.h>
#include <lapacke.h>
#endif
