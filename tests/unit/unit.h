/* A tiny host unit-test framework: UNIT_TEST(name) registers a test; CHECK*
 * record a failure with file:line and the values, and the test goes on. */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define UNIT_TEST(name)							\
	static void name(void);						\
	static struct unit_test unit_##name = { #name, name, NULL };	\
	__attribute__((constructor)) static void register_##name(void)	\
	{ unit_register(&unit_##name); }				\
	static void name(void)

#define CHECK(cond)							\
	do { if (!(cond)) unit_fail(__FILE__, __LINE__, "%s", #cond); } while (0)

#define CHECK_EQ_U64(a, b)						\
	do {								\
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);	\
		if (a_ != b_)						\
			unit_fail(__FILE__, __LINE__, "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, \
				  #a, #b, a_, b_);			\
	} while (0)

#define CHECK_STREQ(a, b)						\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (strcmp(a_, b_) != 0)				\
			unit_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, a_, b_); \
	} while (0)

#endif
