"""Models: the networks' building blocks (layers), the generators and discriminators (generator_model,
discriminator_model; pix2pixHD's hd_generator_model and multiscale_discriminator), the doors that build them
by name (networks: GENERATORS, DISCRIMINATORS), the model spec (spec), the objective (loss: GAN_OBJECTIVES,
feature matching; vgg_loss), weight init (init_w), the training step and optimisers (pix2pix) and
checkpoints (checkpoint).

Owns what is trained and stored. Takes arguments, never a run's settings object, except
ModelSpec.from_settings and the size checks that name settings in their messages. May import utils only.
"""
