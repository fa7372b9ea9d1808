/* tether-error.c: the TETHER_ERROR domain. */
#include "config.h"

#include "tether-error.h"

G_DEFINE_QUARK (tether-error-quark, tether_error)
