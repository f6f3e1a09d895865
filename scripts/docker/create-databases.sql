-- One database per subgraph (docker-compose only; ./scripts/dev creates them itself).
CREATE DATABASE catalog;
CREATE DATABASE cart;
CREATE DATABASE orders;
CREATE DATABASE payments;
CREATE DATABASE accounts;
