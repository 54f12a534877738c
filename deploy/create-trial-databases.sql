-- Run once by the postgres image on its first start (docker-entrypoint-initdb.d): the two empty
-- databases that `npm run db:demo` then fills with Atmosphere's and Troposphere's real schemas.
CREATE DATABASE atmosphere;
CREATE DATABASE troposphere;
