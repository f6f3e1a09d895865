# One image for every process of the supergraph; the command picks the process.
# Node runs the TypeScript sources directly (type stripping), so there is no build step.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
RUN npm i -g pnpm@10
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc ./
COPY patches ./patches
COPY packages/platform/package.json packages/platform/
COPY gateway/package.json gateway/
COPY subgraphs/catalog/package.json subgraphs/catalog/
COPY subgraphs/cart/package.json subgraphs/cart/
COPY subgraphs/order/package.json subgraphs/order/
COPY subgraphs/payment/package.json subgraphs/payment/
COPY subgraphs/account/package.json subgraphs/account/
RUN pnpm install --frozen-lockfile --prod=false

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY --from=deps /app /app
COPY . .
USER node
# Overridden per service in docker-compose.yml, e.g. `node subgraphs/catalog/src/index.ts`.
CMD ["node", "gateway/src/index.ts"]
