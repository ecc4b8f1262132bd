/* timing.h - the emulator's core timing model: one parameter row per
 * core (cores.def), and a resource model the interpreter feeds with
 * every retired instruction. docs/timing-model.md explains the model and
 * names the public source of every parameter.
 *
 * Model: an in-order scalar front end (issue width, scoreboard of
 * register ready times) dispatches vector instructions to a decoupled
 * in-order vector unit: execution pipes (occupancy by register group:
 * LMUL x VLEN / DLEN cycles on one pipe; results chained to dependents
 * after the operation's latency) and a load/store unit (bytes per cycle
 * for unit stride, cycles per element for strided and indexed) behind a
 * bounded vector queue, with write-after-write and write-after-read order
 * on the vector registers, and an L1 D / L2 cache model (cache.h) whose
 * misses take transfer time on the L2 and DRAM ports and delay the data
 * they fetch. Each resource's busy cycles are reported;
 * what the timeline has beyond the busiest resource is latency stalls
 * (dependencies: reductions, vector results read by scalar code,
 * accumulator chains). */
#ifndef RVVNN_EMU_TIMING_H
#define RVVNN_EMU_TIMING_H

#include <stdint.h>

struct emu;
struct emu_insn;

/* resources, in report order */
#define EMU_RESOURCES(X) X(SCALAR, "scalar") X(VEXEC, "vector-exec") X(VLSU, "vector-load-store") \
    X(MEMORY, "memory (L2/DRAM)") X(STALL, "latency stalls")
enum {
#define X(id, name) EMU_RES_##id,
    EMU_RESOURCES(X)
#undef X
    EMU_RES__COUNT
};

struct emu_core {
#define CORE_FIELD(type, name) type name;
#include "cores.def"
#undef CORE_FIELD
};
typedef struct emu_core emu_core;

/* The row named `name` ("x60", "x280"), or NULL. */
const emu_core *tm_core_find(const char *name);
/* Row i (NULL past the last): for --help and docs. */
const emu_core *tm_core_at(int i);

typedef struct tm_state tm_state;
tm_state *tm_create(const emu_core *c, unsigned vlen);
void tm_free(tm_state *t);
void tm_begin(tm_state *t);
/* One instruction about to execute under e's live vtype and vl. */
void tm_insn(tm_state *t, const struct emu *e, const struct emu_insn *d);
/* Ends a step: busy[EMU_RES__COUNT] gets each resource's cycles (added
 * to), *limit the index of the one that bound it. Returns the step's
 * cycles. The caches keep their contents for the next step. */
double tm_end(tm_state *t, double *busy, int *limit);
const char *tm_resource_name(int r);
/* Timing class of a decoded row (computed once per code address). */
int tm_classify(int isa_base, uint32_t word);
/* The registers a decoded instruction writes and reads, for the
 * scoreboard (emu_insn.tdst / tsrc numbering). */
struct isa_inst;
void tm_operands(const struct isa_inst *in, uint8_t *dst, uint8_t src[4]);

#endif
