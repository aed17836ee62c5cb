-- Funnels a tenant defined (see Core/Funnels/Funnel.cs): the steps, window and order as one JSON definition, since
-- a funnel is read and replaced whole. Times are epoch milliseconds, in PostgreSQL too, so one store serves both.
CREATE TABLE funnels (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id),
    id         TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    definition TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
