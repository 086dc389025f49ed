# kosmo: `make demo` runs the seed's workflow on the simulator; `make test` runs every test.
# Both install what they need first (the wasm32-wasip2 Rust target).

PLUGIN_DIR := target/plugins
WASM_DIR := target/wasm32-wasip2/release

.PHONY: all setup build demo test bench clean

all: build

setup:
	@command -v cargo >/dev/null || { echo "cargo is required: install Rust from rustup" >&2; exit 1; }
	rustup target add wasm32-wasip2

build: setup
	cargo build --release
	# Link-time optimisation for the components only (the host's link would take minutes):
	# it keeps the plugin about 40 KB smaller.
	CARGO_PROFILE_RELEASE_LTO=true cargo build --release --target wasm32-wasip2 -p ringcentral -p hostile-plugin
	mkdir -p $(PLUGIN_DIR)
	cp $(WASM_DIR)/ringcentral.wasm $(PLUGIN_DIR)/ringcentral.wasm
	@ls -l $(WASM_DIR)/ringcentral.wasm

demo: build
	scripts/demo.sh

bench: build
	scripts/bench.sh

test: build
	scripts/check-plugin-size.sh $(WASM_DIR)/ringcentral.wasm 409600
	cargo test --release

clean:
	cargo clean
