//! genesys-bot-deploy
