// Tests never read a developer's .env: each builds its config from explicit values.
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL || 'silent';
