"""The storefront side: shoppers' logged feedback, recommendation policies that learn from it
(context-free and contextual bandits), and their offline evaluation."""
