# The kfn image: the controller (`kfn controller`), and the binary its init container copies
# into function pods. Build: docker build -t <registry>/kfn:<version> .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin kfn

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/kfn /usr/local/bin/kfn
USER 1000
ENTRYPOINT ["/usr/local/bin/kfn"]
CMD ["controller"]
