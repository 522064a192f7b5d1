#ifndef NZ_HLC_H
#define NZ_HLC_H

#include <stdint.h>

/*
 * Hybrid logical clock (Kulkarni et al., 2014): 64 bits, the high 48 a wall
 * clock in milliseconds since the Unix epoch, the low 16 a counter that
 * orders events within one millisecond or while the wall clock lags behind
 * a clock already seen.  A value never runs backwards, whatever the wall
 * clock does; the store persists the last value so restarts keep it so.
 */
#define HLC_LOGICAL_BITS 16
#define HLC_LOGICAL_MASK ((uint64_t)0xffff)

/* hlc_make packs a physical time (ms) and a counter. */
uint64_t hlc_make(uint64_t ms, uint16_t logical);

/* hlc_ms returns the physical part of an HLC value, in milliseconds. */
uint64_t hlc_ms(uint64_t hlc);

/* hlc_tick returns the clock for a local event, given the last value and the wall clock in ms. */
uint64_t hlc_tick(uint64_t last, uint64_t wall_ms);

/* hlc_recv returns the clock after seeing a remote value, given the last value and the wall clock. */
uint64_t hlc_recv(uint64_t last, uint64_t remote, uint64_t wall_ms);

/*
 * hlc_wall_ms returns the wall clock in ms; NEHZAT_CLOCK_SKEW_MS in the
 * environment adds a (signed) offset, so tests can skew a node's clock.
 */
uint64_t hlc_wall_ms(void);

/*
 * hlc_set_skew_ms replaces the environment's skew: in-process tests run
 * several replicas with clocks apart.
 */
void hlc_set_skew_ms(long long skew_ms);

/* hlc_format writes "2026-11-28T09:55:45.123Z+7" (physical time, then counter). */
void hlc_format(uint64_t hlc, char *buf, unsigned long n);

#endif
