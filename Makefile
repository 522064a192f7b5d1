# nehzat: one plain Makefile.  `make deps run` and `make deps test` do
# everything on a fresh Debian 12 machine (see README.md): `make deps`
# installs the Debian packages, nothing else does.  CFLAGS, LDFLAGS and
# SANITIZE given on the command line add to the project's flags (ALL_CFLAGS),
# and changing them rebuilds everything (the flags stamp).

CC       ?= cc
BUILD    ?= build
SHARED   ?= ../shared

# `make` alone builds everything (the generated UI source below is not the goal).
.DEFAULT_GOAL := all

DEB_PKGS := build-essential pkg-config libsqlite3-dev libuv1-dev libnng-dev \
            nng-utils libmsgpack-dev libinih-dev libsodium-dev libjansson-dev \
            sqlite3 openssl iproute2 valgrind bc libmicrohttpd-dev libzstd-dev
PKGS     := sqlite3 libuv msgpack inih libsodium jansson libmicrohttpd libzstd

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
# CFLAGS and LDFLAGS are the builder's (git's habit): `make CFLAGS=-O0` keeps
# everything the project needs, which is in ALL_CFLAGS and ALL_LDFLAGS.
CFLAGS   ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
ALL_CFLAGS := -std=c11 $(WARN) -D_GNU_SOURCE -Isrc -I. -MMD -MP $(PKG_CFLAGS)
ALL_LDFLAGS :=
ifneq ($(DEVELOPER),)
ALL_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS += $(CFLAGS)
ALL_LDFLAGS += $(LDFLAGS)
# Debian's NNG ships no pkg-config file; it links with mbedtls for TLS.
# libmicrohttpd is loaded when the first page is asked for (src/http/server.c, dlopen): its headers only.
LDLIBS   += $(shell pkg-config --libs $(filter-out libmicrohttpd,$(PKGS)) 2>/dev/null) -lnng -lpthread -lm -ldl

# The flags stamp: it changes (and everything is rebuilt) when the compiler or
# the flags do, e.g. `make SANITIZE=address` after a plain build.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = '$(FLAGS_NOW)' ] || echo '$(FLAGS_NOW)' >$@

LIB_SRC  := $(sort $(wildcard src/*/*.c src/*/*/*.c proto/*.c))
NODE_SRC := $(sort $(wildcard node/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/t_*.c))
BENCH_SRC:= $(sort $(wildcard tests/bench/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
NODE_OBJ := $(NODE_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN:= $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
LIB      := $(BUILD)/libnehzat.a
BIN      := $(BUILD)/nehzat

# ---- the web face (src/http): UI assets compiled in, and what its tests need ----
DEB_PKGS += xxd curl chromium nodejs
UI_FILES := $(sort $(wildcard src/http/ui/*.html src/http/ui/*.css src/http/ui/*.js src/http/ui/*.svg \
                              src/http/ui/vendor/*.woff2 src/http/ui/vendor/*.txt))
UI_GEN   := $(BUILD)/gen/ui_assets.c
LIB_OBJ  += $(BUILD)/gen/ui_assets.o

$(UI_GEN): $(UI_FILES) Makefile
	@mkdir -p $(@D)
	@{ echo '/* generated from src/http/ui by the Makefile; do not edit */'; \
	  echo '#include "http/assets.h"'; i=0; \
	  for f in $(UI_FILES); do echo "static const unsigned char a$$i[] = {"; \
	    xxd -i <"$$f" || exit 1; echo "};"; i=$$((i + 1)); done; \
	  echo 'const struct http_asset_file http_asset_files[] = {'; i=0; \
	  for f in $(UI_FILES); do echo "	{\"$${f#src/http/ui}\", a$$i, sizeof(a$$i)},"; i=$$((i + 1)); done; \
	  echo '	{0, 0, 0},'; echo '};'; } >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/ui_assets.o: $(UI_GEN) $(FLAGS_STAMP)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
# ---- end of the web face ----

# ---- fuzzing (tests/fuzz): libFuzzer targets built with clang by `make fuzz`; `make all`
# builds each with tests/fuzz/replay.c instead, as build/tests/t_fuzz_NAME, which `make test`
# runs over the committed corpus tests/fuzz/corpus/NAME ----
DEB_PKGS    += clang libfuzzer-14-dev libclang-rt-14-dev
FUZZ_NAMES  := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/tests/t_fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_CC     ?= clang
FUZZ_BUILD  := build/fuzz

$(BUILD)/tests/t_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/util.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -DFUZZ_NAME='"$*"' $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c tests/fuzz/util.c \
		$(LIB) $(LDLIBS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/util.c $(FUZZ_BUILD)/libnehzat.a
	$(FUZZ_CC) -std=c11 -O1 -g -D_GNU_SOURCE -Isrc -I. -Itests/fuzz $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		-o $@ $< tests/fuzz/util.c $(FUZZ_BUILD)/libnehzat.a $(LDLIBS)

# make fuzz FUZZ_SECONDS=N: the library once more, instrumented for libFuzzer in its own tree,
# then every target for N seconds, one after the other, at the lowest priority.
fuzz: deps
	@CFLAGS="-O1 -g" $(MAKE) -s BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SANITIZE=fuzzer-no-link,address,undefined \
		$(FUZZ_BUILD)/libnehzat.a
	@$(MAKE) -s $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

.PHONY: all deps test run demo bench bench-flat bench-peer clean deb fuzz FORCE

all: $(BIN) $(TEST_BIN) $(BENCH_BIN) $(FUZZ_REPLAY)

# Installs the Debian packages the build and the tests need; a quick no-op
# when they are all present.  npm is a package of its own in Debian 12 (the
# browser tests install playwright-core with it); a nodejs that brings its own
# npm needs none.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done; \
	command -v npm >/dev/null || echo npm); \
	if [ -n "$$missing" ]; then \
		echo "nehzat: installing $$missing"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The archive is made anew: a member left by a file since moved or removed
# would still be linked.  ar keeps only base names, so two sources may not share one.
ifneq ($(words $(notdir $(LIB_SRC))),$(words $(sort $(notdir $(LIB_SRC)))))
$(error two library sources share a file name: $(sort $(foreach f,$(notdir $(LIB_SRC)),$(if $(filter-out 1,$(words $(filter %/$(f),$(LIB_SRC)))),$(f)))))
endif
$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(NODE_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(NODE_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The whole suite: unit, command-line and cluster tests (TEST_JOBS at once,
# the builds too), and the unit tests and some cluster tests again under
# AddressSanitizer and UBSan, built in a separate tree (only what they run:
# the program, the unit tests and the corpus replays).
# test and run check the Debian packages first (a quick dpkg-query when all are
# there; apt-get only for what is missing), so each is one command on a fresh
# machine; NO_DEPS=1 skips the check.
TEST_JOBS ?= 2
DEPS_FIRST := $(if $(NO_DEPS),,deps)
SAN_RUN  := $(patsubst $(BUILD)/%,build/san/%,$(BIN) $(TEST_BIN) $(FUZZ_REPLAY))
test: $(DEPS_FIRST)
	@$(MAKE) -s -j$(TEST_JOBS) all
	@CFLAGS="-O1 -g" LDFLAGS= $(MAKE) -s -j$(TEST_JOBS) BUILD=build/san SANITIZE=address,undefined $(SAN_RUN)
	@NEHZAT_SHARED=$(SHARED) tests/run -j $(TEST_JOBS) $(BUILD) build/san

run: $(DEPS_FIRST)
	@$(MAKE) -s $(BIN)
	@NEHZAT_SHARED=$(SHARED) node/run-default.sh $(BIN)

demo:
	@$(MAKE) -s $(BIN)
	tests/cluster/demo.sh $(BIN)

bench:
	@$(MAKE) -s all
	@NEHZAT_SHARED=$(SHARED) tests/bench/run $(BUILD)

# P1_flat alone (make bench runs it too): five hops of 1,000,000 changes, their median (BENCH_FLAT_HOPS, BENCH_FLAT_N).
bench-flat:
	@$(MAKE) -s all
	@tests/bench/flat.sh $(BUILD)

# P1_vs_pouchdb alone (make bench runs it too): PouchDB from npm, on loopback.
bench-peer:
	@$(MAKE) -s all
	@tests/bench/peer.sh $(BUILD)

clean:
	rm -rf $(BUILD) build/san

# ---- the Debian package (conf/debian, conf/systemd): `make deb` ----
DEB_PKGS += dpkg-dev lintian adduser man-db
VERSION  := $(shell sed -n 's/^\#define NZ_VERSION "\(.*\)"/\1/p' node/version.h)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB      := $(BUILD)/nehzat_$(VERSION)_$(DEB_ARCH).deb
DEB_ROOT := $(BUILD)/deb/root
DEB_DOC  := $(DEB_ROOT)/usr/share/doc/nehzat

deb: $(DEB)

# The dependencies are those of the shared libraries the binary links
# (dpkg-shlibdeps, which wants a debian/control of its own to run in).
$(DEB): $(BIN) $(wildcard conf/debian/* conf/systemd/* conf/*.ini) node/version.h Makefile
	@rm -rf $(BUILD)/deb && mkdir -p $(DEB_ROOT)/DEBIAN $(DEB_ROOT)/usr/bin $(DEB_DOC)/examples \
		$(DEB_ROOT)/usr/share/man/man1 $(DEB_ROOT)/lib/systemd/system $(BUILD)/deb/src/debian
	install -m 0755 $(BIN) $(DEB_ROOT)/usr/bin/nehzat
	strip --remove-section=.comment --remove-section=.note --strip-unneeded $(DEB_ROOT)/usr/bin/nehzat
	conf/debian/mkman.sh $(BIN) | gzip -9n >$(DEB_ROOT)/usr/share/man/man1/nehzat.1.gz
	install -m 0644 conf/systemd/*.service conf/systemd/*.timer $(DEB_ROOT)/lib/systemd/system/
	install -m 0644 conf/*.ini $(DEB_DOC)/examples/
	install -m 0644 conf/debian/copyright $(DEB_DOC)/copyright
	gzip -9n <conf/debian/changelog >$(DEB_DOC)/changelog.gz
	install -m 0755 conf/debian/postinst conf/debian/prerm conf/debian/postrm $(DEB_ROOT)/DEBIAN/
	printf 'Source: nehzat\n\nPackage: nehzat\nArchitecture: any\n' >$(BUILD)/deb/src/debian/control
	cd $(BUILD)/deb/src && dpkg-shlibdeps -O $(CURDIR)/$(DEB_ROOT)/usr/bin/nehzat >../shlibs 2>../shlibs.err \
		|| { cat ../shlibs.err; exit 1; }
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' \
	    -e "s/@SIZE@/$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)/" \
	    -e "s/@DEPENDS@/$$(sed -n 's/^shlibs:Depends=//p' $(BUILD)/deb/shlibs)/" \
	    conf/debian/control >$(DEB_ROOT)/DEBIAN/control
	cd $(DEB_ROOT) && find usr lib -type f -exec md5sum {} + | sort -k2 >DEBIAN/md5sums
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $@

-include $(LIB_OBJ:.o=.d) $(NODE_OBJ:.o=.d) $(TEST_BIN:=.d) $(BENCH_BIN:=.d) $(FUZZ_REPLAY:=.d)
