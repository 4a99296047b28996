"""The Pulumi program for one Twenty environment on Google Cloud, one module per concern."""
